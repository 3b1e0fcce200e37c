using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Options of LLM cost tracking, bound from configuration or set in code.</summary>
/// <remarks>
/// <para>Bound from the <c>LlmCost</c> configuration section by <c>AddLlmCostTracking(configuration.GetSection("LlmCost"))</c>;
/// options of one concern are grouped: <see cref="Pipeline"/> (queue and batching), <see cref="Sinks"/> (sink queues and
/// retries) and <see cref="Telemetry"/> (OpenTelemetry output).</para>
/// <para>Validated at start-up (<c>ValidateOnStart</c>): a bad value, an unknown provider, an unknown configuration key or
/// bad price data fails with a message naming the option or key.</para>
/// </remarks>
public sealed class LlmCostOptions
{
    /// <summary>Gets or sets the environment written into every record's tags.</summary>
    /// <value>The default value is the host's <c>IHostEnvironment.EnvironmentName</c>, when there is a host.</value>
    public string? Environment { get; set; }

    /// <summary>Gets the tags for every call, below request tags, the ambient scope and client defaults.</summary>
    public LlmCostTags DefaultTags { get; } = new();

    /// <summary>Gets or sets a value indicating whether calls are tracked. When <see langword="false"/>, the handler passes calls through untouched.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the tokens of a call whose response reported no usage are estimated: an
    /// OpenAI-format stream without <c>stream_options.include_usage</c>, a stream the app stopped reading, a proxy that
    /// strips usage. The record then says <c>usage.source = "estimated"</c> and is priced like any other.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// <para>Only streamed (server-sent events) OpenAI-format and Anthropic-format calls are estimated; a JSON response always
    /// carries usage. While such a call's bytes pass through, the text of its messages and of the streamed deltas is copied
    /// (a memory copy, at most 64 KiB per side, pooled; longer text is counted and the estimate scaled), and when the call ends
    /// without usage the tokens are counted in the background with Microsoft.ML.Tokenizers and the model's own encoding
    /// (o200k_base or cl100k_base; o200k_base as an approximation for other vendors' models), plus OpenAI's documented
    /// per-message overhead. The text is never stored. Nothing of this runs on the request path. When
    /// <see langword="false"/>, nothing is copied and such calls are recorded with <c>usage.source = "none"</c> and a
    /// <see langword="null"/> cost.</para>
    /// </remarks>
    public bool EstimateMissingUsage { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether streaming Chat Completions requests are changed to ask the provider for usage:
    /// a request to <c>…/chat/completions</c> with <c>"stream": true</c> and no <c>stream_options</c>, sent to OpenAI, Azure
    /// OpenAI, DeepSeek, Groq, xAI or OpenRouter, gets <c>"stream_options":{"include_usage":true}</c> added to its body, so
    /// the provider reports the exact usage instead of the SDK estimating it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// Off by default because it changes what the app receives: the stream then ends with one extra chunk whose
    /// <c>choices</c> array is empty (it carries the usage), and code that reads <c>choices[0]</c> of every chunk may fail
    /// on it. The official OpenAI SDKs handle that chunk. The request body is read once into memory to add the option
    /// (Content-Length is set to the new length; the other content headers are kept); a body that already has
    /// <c>stream_options</c>, does not stream, or cannot be parsed is sent unchanged. Mistral is left out: its API rejects
    /// the option and reports usage anyway.
    /// </remarks>
    public bool RequestStreamUsage { get; set; }

    /// <summary>Gets the options of the record queue and the batching pump: how many records may wait, and how they are batched.</summary>
    /// <remarks>Bound from the <c>LlmCost:Pipeline</c> configuration section.</remarks>
    [ValidateObjectMembers]
    public LlmCostPipelineOptions Pipeline { get; } = new();

    /// <summary>Gets the options every sink's worker shares: its queue of batches and the retries of a failed write.</summary>
    /// <remarks>Bound from the <c>LlmCost:Sinks</c> configuration section.</remarks>
    [ValidateObjectMembers]
    public LlmCostSinkOptions Sinks { get; } = new();

    /// <summary>Gets or sets how long disposal or host shutdown waits for queued records to reach the sinks.</summary>
    /// <value>The default value is 10 seconds.</value>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafeRange.Justification)]
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the folder of the disk spool, which keeps on disk every batch until each sink has taken it, so a sink
    /// outage or a restart loses no record: batches a sink cannot take stay there and are replayed to it in order when it
    /// takes writes again, or when the app next starts with the same folder. Set it with
    /// <see cref="LlmCostTrackingBuilder.AddDiskSpool"/> or in configuration.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no spool; records a sink cannot take are dropped and counted.</value>
    /// <remarks>
    /// The folder is created with mode 0700 on Unix (owner only) and is never shared: there is no temporary-folder
    /// fallback, and one process at a time owns it (a second process logs an error and runs without the spool).
    /// See <see cref="LlmCostTrackingBuilder.AddDiskSpool"/> for what a crash can lose and how replays stay free of duplicates.
    /// </remarks>
    public string? DiskSpoolPath { get; set; }

    /// <summary>Gets or sets the most bytes the disk spool holds; past it, the oldest batches are removed and counted.</summary>
    /// <value>The default value is 256 MiB.</value>
    public long DiskSpoolMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets how long a batch may wait in the disk spool; older batches are removed and counted.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan DiskSpoolMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets extra endpoints to track besides the providers' own hosts: a proxy, a gateway or an OpenAI-compatible base URL,
    /// each mapped to a provider (one of <see cref="LlmProviders"/>, or a provider that <see cref="Prices"/> names).
    /// </summary>
    /// <remarks>A provider is validated at start-up and its case normalized (<c>OpenAI</c> becomes <c>openai</c>).</remarks>
    public IList<LlmCostEndpoint> Endpoints { get; } = [];

    /// <summary>
    /// Gets the options of the OpenTelemetry output: which attribution tags become metric attributes (customer and
    /// custom tags are off by default), the cap on their distinct values, and OpenTelemetry Baggage reading and writing.
    /// </summary>
    [ValidateObjectMembers]
    public LlmCostTelemetryOptions Telemetry { get; } = new();

    /// <summary>
    /// Gets model aliases: names a call uses that the price table cannot know, mapped to the model ids that price them —
    /// Azure OpenAI deployment names (<c>"my-gpt4o-deployment": "gpt-4o"</c>), Bedrock application inference-profile ARNs,
    /// gateway model names. An alias is tried before the served and requested model ids themselves. Keys ignore case.
    /// </summary>
    public IDictionary<string, string> ModelAliases { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets prices that add to or replace (by provider and model) the entries of the price table.</summary>
    public IList<ModelPrice> Prices { get; } = [];

    /// <summary>
    /// Gets or sets the path of a price-table JSON file to use instead of the one embedded in the package, to take newer
    /// prices without upgrading: a file in the SDK's format (<c>schemaVersion</c> 1 to 3; a LiteLLM map is converted first
    /// with <c>tools/LlmCost.Sdk.PriceTools import-litellm</c>). It is read once at start-up; a file that cannot be read
    /// or has bad data fails start-up, naming the entry.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the embedded table.</value>
    public string? PriceTablePath { get; set; }

    /// <summary>Gets the opt-in refresh of the price table while the application runs, from a URL or a file.</summary>
    public PriceTableUpdateOptions PriceTableUpdate { get; } = new();
}
