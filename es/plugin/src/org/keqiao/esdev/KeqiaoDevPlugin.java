/*
 * Keqiao development plugin for the Elasticsearch "integ-test-zip" distribution.
 *
 * The integ-test distribution that Elastic publishes to Maven Central is the real
 * Elasticsearch server, but it ships without the analysis-common and rest-root
 * modules (those are not published to any registry this project can reach). This
 * plugin registers, under the same names and with the same settings, the few
 * pieces of those modules that Keqiao uses, built from the same Lucene classes that
 * analysis-common uses, so index settings written for a production cluster work
 * unchanged on the development/CI node:
 *
 *   analyzer      cjk            CJKAnalyzer(stopwords | stopwords_path, default CJK stop set)
 *   token filter  cjk_width      CJKWidthFilter
 *   token filter  cjk_bigram     CJKBigramFilter (ignored_scripts, output_unigrams)
 *   token filter  synonym_graph  SynonymGraphFilter; rules from synonyms (inline list) or
 *                                synonyms_path (file under the config dir); format solr (the
 *                                only one Keqiao writes; wordnet is refused); expand (default
 *                                true); lenient (default false);
 *                                updateable (default false, makes the filter search-time only).
 *                                Rules are analysed with the tokenizer, char filters and
 *                                token filters that precede the filter in its analyzer.
 *   token filter  flatten_graph  FlattenGraphFilter
 *   REST          GET|HEAD /     node name, cluster name/uuid, version block, tagline
 *                                (what the rest-root module answers; clients' info()/ping()).
 *
 * Not provided: synonyms_set (the synonyms API), the non-graph "synonym" filter, and the
 * other analyzers/filters of analysis-common.
 */
package org.keqiao.esdev;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.apache.lucene.util.SetOnce;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexService;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

public class KeqiaoDevPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private final SetOnce<ClusterService> clusterService = new SetOnce<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    // ---------------------------------------------------------------- analysis

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("cjk", CjkAnalyzerProvider::new);
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("cjk", CachingStrategy.LUCENE, CJKAnalyzer::new));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "cjk_width", (indexSettings, env, name, settings) -> new SimpleFilterFactory(name, settings, CJKWidthFilter::new),
            "cjk_bigram", CjkBigramFilterFactory::new,
            "flatten_graph", (indexSettings, env, name, settings) -> new SimpleFilterFactory(name, settings, FlattenGraphFilter::new),
            "synonym_graph", AnalysisPlugin.requiresAnalysisSettings(SynonymGraphFilterFactory::new)
        );
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("cjk_width", true, CJKWidthFilter::new),
            PreConfiguredTokenFilter.singleton("cjk_bigram", false, CJKBigramFilter::new),
            PreConfiguredTokenFilter.singleton("flatten_graph", false, FlattenGraphFilter::new)
        );
    }

    static final class CjkAnalyzerProvider extends AbstractIndexAnalyzerProvider<CJKAnalyzer> {
        private final CJKAnalyzer analyzer;

        CjkAnalyzerProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            analyzer = new CJKAnalyzer(Analysis.parseStopWords(env, settings, CJKAnalyzer.getDefaultStopSet()));
        }

        @Override
        public CJKAnalyzer get() {
            return analyzer;
        }
    }

    static final class SimpleFilterFactory extends AbstractTokenFilterFactory {
        private final Function<TokenStream, TokenStream> filter;

        SimpleFilterFactory(String name, Settings settings, Function<TokenStream, TokenStream> filter) {
            super(name, settings);
            this.filter = filter;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return filter.apply(tokenStream);
        }
    }

    static final class CjkBigramFilterFactory extends AbstractTokenFilterFactory {
        private final int flags;
        private final boolean outputUnigrams;

        CjkBigramFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            outputUnigrams = settings.getAsBoolean("output_unigrams", false);
            Set<String> scripts = new HashSet<>(List.of("han", "hiragana", "katakana", "hangul"));
            scripts.removeAll(settings.getAsList("ignored_scripts"));
            int f = 0;
            for (String script : scripts) {
                switch (script) {
                    case "han" -> f |= CJKBigramFilter.HAN;
                    case "hiragana" -> f |= CJKBigramFilter.HIRAGANA;
                    case "katakana" -> f |= CJKBigramFilter.KATAKANA;
                    case "hangul" -> f |= CJKBigramFilter.HANGUL;
                    default -> { }
                }
            }
            flags = f;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new CJKBigramFilter(tokenStream, flags, outputUnigrams);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            if (outputUnigrams) {
                throw new IllegalArgumentException("Token filter [" + name() + "] cannot be used to parse synonyms");
            }
            return this;
        }
    }

    static final class SynonymGraphFilterFactory extends AbstractTokenFilterFactory {
        private final Settings settings;
        private final Environment environment;
        private final boolean expand;
        private final boolean lenient;
        private final AnalysisMode analysisMode;

        SynonymGraphFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.settings = settings;
            this.environment = env;
            this.expand = settings.getAsBoolean("expand", true);
            this.lenient = settings.getAsBoolean("lenient", false);
            this.analysisMode = settings.getAsBoolean("updateable", false) ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
            String format = settings.get("format", "solr");
            if ("solr".equalsIgnoreCase(format) == false) {
                throw new IllegalArgumentException(
                    "[" + name + "] format [" + format + "] is not supported by the Keqiao development node; use solr"
                );
            }
            if (settings.get("synonyms_set") != null) {
                throw new IllegalArgumentException(
                    "[" + name + "] synonyms_set is not supported by the Keqiao development node; use synonyms or synonyms_path"
                );
            }
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return analysisMode;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            throw new IllegalStateException("Call getChainAwareTokenFilterFactory to specialize this factory for an analysis chain first");
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexService.IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer analyzer = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            );
            SynonymMap synonyms = buildSynonyms(analyzer, rules());
            String name = name();
            AnalysisMode mode = analysisMode;
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream tokenStream) {
                    return synonyms.fst == null ? tokenStream : new SynonymGraphFilter(tokenStream, synonyms, false);
                }

                @Override
                public TokenFilterFactory getSynonymFilter() {
                    return IDENTITY_FILTER;
                }

                @Override
                public AnalysisMode getAnalysisMode() {
                    return mode;
                }
            };
        }

        private Reader rules() {
            if (settings.getAsList("synonyms", null) != null) {
                List<String> lines = Analysis.getWordList(environment, settings, "synonyms");
                return new StringReader(String.join("\n", lines) + "\n");
            }
            if (settings.get("synonyms_path") != null) {
                return Analysis.getReaderFromFile(environment, settings.get("synonyms_path"), "synonyms_path");
            }
            throw new IllegalArgumentException("synonym requires either `synonyms` or `synonyms_path` to be configured");
        }

        private SynonymMap buildSynonyms(Analyzer analyzer, Reader rules) {
            try {
                SynonymMap.Parser parser = new LenientSolrParser(expand, lenient, analyzer);
                parser.parse(rules);
                return parser.build();
            } catch (Exception e) {
                throw new IllegalArgumentException("failed to build synonyms", e);
            }
        }
    }

    /**
     * What lenient=true means: a term that does not analyse to a token becomes empty instead
     * of failing the whole rule set, and a rule with an empty side is skipped. The parser below
     * calls it from its add and analyze.
     */
    record Leniency(boolean lenient) {
        boolean keeps(CharsRef input, CharsRef output) {
            return lenient == false || (input.length > 0 && output.length > 0);
        }

        CharsRef analyze(Analysis analysis) throws IOException {
            try {
                return analysis.run();
            } catch (IllegalArgumentException e) {
                if (lenient) {
                    return new CharsRef("");
                }
                throw e;
            }
        }

        /** A parser's own analysis of one term (SynonymMap.Parser#analyze). */
        @FunctionalInterface
        interface Analysis {
            CharsRef run() throws IOException;
        }
    }

    /** Solr-format rules, with `Leniency`. */
    static final class LenientSolrParser extends SolrSynonymParser {
        private final Leniency leniency;

        LenientSolrParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.leniency = new Leniency(lenient);
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (leniency.keeps(input, output)) {
                super.add(input, output, includeOrig);
            }
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return leniency.analyze(() -> super.analyze(text, reuse));
        }
    }

    // ---------------------------------------------------------------- GET /

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootHandler(clusterService::get));
    }

    static final class RootHandler extends BaseRestHandler {
        private final Supplier<ClusterService> clusterService;

        RootHandler(Supplier<ClusterService> clusterService) {
            this.clusterService = clusterService;
        }

        @Override
        public String getName() {
            return "keqiao_dev_main_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> {
                ClusterService service = clusterService.get();
                ClusterState state = service.state();
                Build build = Build.current();
                XContentBuilder b = channel.newBuilder();
                b.startObject();
                b.field("name", service.getNodeName());
                b.field("cluster_name", state.getClusterName().value());
                b.field("cluster_uuid", state.metadata().clusterUUID());
                b.startObject("version");
                b.field("number", build.qualifiedVersion());
                b.field("build_flavor", build.flavor());
                b.field("build_type", build.type().displayName());
                b.field("build_hash", build.hash());
                b.field("build_date", build.date());
                b.field("build_snapshot", build.isSnapshot());
                b.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
                b.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
                b.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
                b.endObject();
                b.field("tagline", "You Know, for Search");
                b.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, b));
            };
        }
    }
}
