namespace LlmCost.Sdk.Tests.Pricing;

public class ModelIdsTests
{
    [Theory]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929")]
    [InlineData("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929")]
    [InlineData("apac.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620")]
    [InlineData("anthropic.claude-3-sonnet-20240229-v1:0:200k", "anthropic.claude-3-sonnet-20240229")]
    [InlineData("amazon.nova-pro-v1:0", "amazon.nova-pro")]
    [InlineData("eu.amazon.nova-lite-v1:0", "amazon.nova-lite")]
    [InlineData("meta.llama3-3-70b-instruct-v1:0", "meta.llama3-3-70b-instruct")]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0", "meta.llama3-3-70b-instruct")]
    [InlineData("mistral.mistral-large-2402-v1:0", "mistral.mistral-large-2402")]
    [InlineData("openai.gpt-oss-120b-1:0", "openai.gpt-oss-120b")]
    [InlineData("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-sonnet-20241022")]
    [InlineData("amazon.titan-embed-text-v2:0", "amazon.titan-embed-text")]
    [InlineData("cohere.embed-english-v3", "cohere.embed-english")]
    public void BedrockBaseModel_RemovesGeographyVersionAndArn(string id, string expected) =>
        Assert.Equal(expected, ModelIds.BedrockBaseModel(id).ToString());

    [Theory]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("gemini-2.0-flash-001", "gemini-2.0-flash-001")]
    [InlineData("gemini-2.5-pro", "gemini-2.5-pro")]
    public void StripVertexVersion_RemovesTheAtVersion(string id, string expected) =>
        Assert.Equal(expected, ModelIds.StripVertexVersion(id).ToString());

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("o1-mini-2024", "o1-mini-2024")]
    public void StripSnapshotDate_RemovesOnlyADate(string id, string expected) =>
        Assert.Equal(expected, ModelIds.StripSnapshotDate(id).ToString());

    [Theory]
    [InlineData("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic/claude-sonnet-4-5")]
    [InlineData("aws.bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic/claude-sonnet-4-5")]
    [InlineData("gcp.vertex_ai", "claude-sonnet-4-5@20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("gcp.vertex_ai", "claude-3-5-sonnet-v2@20241022", "anthropic/claude-3-5-sonnet")]
    [InlineData("gcp.vertex_ai", "gemini-2.0-flash-001", "gcp.gemini/gemini-2.0-flash")]
    [InlineData("aws.bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic/claude-3-5-sonnet")]
    [InlineData("aws.bedrock", "amazon.titan-embed-text-v2:0", "aws.bedrock/amazon.titan-embed-text")]
    [InlineData("azure.ai.openai", "gpt-4o-2024-11-20", "openai/gpt-4o")]
    [InlineData("openrouter", "openai/gpt-4o", "openai/gpt-4o")]
    [InlineData("openrouter", "anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5")]
    public void TryGetEntry_ProviderThatBillsAtAnotherProvidersRates_FindsThatEntry(string provider, string model, string expected)
    {
        Assert.True(PriceTable.Default.TryGetEntry(provider, model, out var entry));
        Assert.Equal(expected, entry.Id);
    }

    [Theory]
    [InlineData("aws.bedrock", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4")]
    [InlineData("aws.bedrock", "cohere.command-r-unknown-v1:0")]
    [InlineData("gcp.vertex_ai", "unknown-model@001")]
    [InlineData("openrouter", "somevendor/gpt-4o")]
    public void TryGetEntry_IdNoNormalizationExplains_IsUnpriced(string provider, string model) =>
        Assert.False(PriceTable.Default.TryGetEntry(provider, model, out _));
}
