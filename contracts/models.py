"""Technology contracts (技术合同). Built in a later issue."""
