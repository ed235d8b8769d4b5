"""``GET /api/v1/analytics/funnel/``: the deal funnel as JSON (`DealFunnel.as_dict`), the
figures of the page and its exports (same selector, same filter form). Brokers and members
of an organisation; others 403. A bad filter value is a 400 naming its parameter."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.web import request_actor
from marketplace.choices import Field
from projects.analytics.filters import FunnelFilterForm
from projects.analytics.selectors import STAGES, deal_funnel, require_funnel_viewer

PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description=(
        "First day of the period (Asia/Shanghai), included: listings by publication, deals "
        "by the match request's creation.")),
    OpenApiParameter("date_to", OpenApiTypes.DATE,
                     description="Last day of the period (Asia/Shanghai), included."),
    OpenApiParameter("field", OpenApiTypes.STR, enum=[c.value for c in Field],
                     description="The listing's technical field."),
    OpenApiParameter("region", OpenApiTypes.STR, description=(
        "Province-level division of the listing: GB/T 2260 code PP0000 or name "
        "(130000, 河北省, 河北).")),
    OpenApiParameter("organization", OpenApiTypes.INT,
                     description="Listings it owns and deals in which it is a party."),
    OpenApiParameter("roadshow", OpenApiTypes.INT, description=(
        "The listings on its agenda and the match requests that came from it (the outcome "
        "report's attribution rule).")),
]

_STAGE = inline_serializer("FunnelStage", {
    "key": serializers.ChoiceField(choices=STAGES),
    "count": serializers.IntegerField(),
    "converted": serializers.IntegerField(help_text="Of these, counted at the next stage."),
    "rate_to_next": serializers.FloatField(allow_null=True, help_text="0-1, 4 places."),
    "optional": serializers.BooleanField(help_text="A stage deals may skip (1:1 meeting)."),
    "converted_main": serializers.IntegerField(allow_null=True, help_text=(
        "Before an optional stage: of these, counted at the next stage that is not optional "
        "(else null).")),
    "rate_to_main": serializers.FloatField(allow_null=True, help_text="0-1, 4 places."),
}, many=True)
_MEDIAN = inline_serializer("FunnelMedian", {
    "from_stage": serializers.ChoiceField(choices=STAGES),
    "to_stage": serializers.ChoiceField(choices=STAGES),
    "median_days": serializers.FloatField(allow_null=True),
    "count": serializers.IntegerField(help_text="Deals the median is over."),
}, many=True)
FUNNEL = inline_serializer("DealFunnel", {
    "generated_at": serializers.DateTimeField(),
    "filters": serializers.DictField(child=serializers.CharField()),
    "stages": _STAGE,
    "medians": _MEDIAN,
    "value_cny": serializers.DecimalField(max_digits=20, decimal_places=2),
    "value_missing": serializers.IntegerField(),
    "overall_listing_rate": serializers.FloatField(allow_null=True),
    "overall_deal_rate": serializers.FloatField(allow_null=True),
})


class FunnelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["analytics"], operation_id="deal_funnel", parameters=PARAMETERS,
        responses={200: FUNNEL},
        description=("The deal funnel: published listings -> match requests -> accepted -> "
                     "1:1 meeting -> agreement drafted -> signed, with conversion rates, "
                     "median days between stages and the signed contract value (CNY). "
                     "Rules: `projects.analytics.selectors`. Brokers see every deal, members "
                     "of an organisation the deals in which it is a party."),
    )
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        require_funnel_viewer(actor)
        form = FunnelFilterForm(request.query_params, viewer=actor)
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages]
                                   for name, messages in form.errors.items()})
        return Response(deal_funnel(viewer=actor, filters=form.filters()).as_dict())
