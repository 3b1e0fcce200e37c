namespace LlmCost.Sdk;

/// <summary>
/// What one LLM call cost and why: who caused it, what the provider reported, and how it was priced.
/// </summary>
/// <remarks>
/// Records carry raw token counts and the price-table version used, so spend can be re-priced and audited later.
/// Prompt and completion text, and API keys, are never part of a record.
/// The JSON form (see <see cref="ToJson"/>) is the JSON Lines format written by <see cref="JsonLinesCostSink"/>.
/// </remarks>
public sealed record CostRecord
{
    private readonly LlmCostTags _tags = LlmCostTags.Empty;
    private CostBreakdown? _cost;
    private PriceReference? _price;

    /// <summary>Gets the unique id of the record (a time-ordered GUID).</summary>
    public Guid Id { get; init; }

    /// <summary>Gets when the call started, in UTC.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the provider, as an OpenTelemetry <c>gen_ai.provider.name</c> value such as <c>openai</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the operation, as an OpenTelemetry <c>gen_ai.operation.name</c> value such as <c>chat</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the model that served the call, as the response reported it (the resolved snapshot).</summary>
    public string? Model { get; init; }

    /// <summary>Gets the model the request asked for.</summary>
    public string? RequestModel { get; init; }

    /// <summary>
    /// Gets the service tier that served the call, as the provider reported it (OpenAI's <c>service_tier</c>:
    /// <c>default</c>, <c>flex</c>, <c>priority</c>, <c>scale</c>; Anthropic's <c>usage.service_tier</c>: <c>standard</c>,
    /// <c>priority</c>, <c>batch</c>), or <see langword="null"/> when it did not say. Written to JSON as <c>serviceTier</c>
    /// only when known.
    /// </summary>
    public string? ServiceTier { get; init; }

    /// <summary>Gets a value indicating whether the response was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>
    /// Gets where the call was served, when the URL says: a Bedrock region (<c>us-east-1</c>) or geography of a
    /// cross-region inference profile (<c>us</c>, <c>eu</c>, <c>apac</c>), a Vertex AI location, or <c>global</c>.
    /// Regional and geographic endpoints can carry an uplift (<see cref="PricePeriod.RegionalUplift"/>).
    /// Written to JSON as <c>region</c> only when known.
    /// </summary>
    public string? Region { get; init; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when no response was received.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// Gets the error, as an OpenTelemetry <c>error.type</c> value (the status code or the exception's type name),
    /// or <see langword="null"/> for a successful call.
    /// </summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the duration of the call, from sending the request to the end of the response body, in milliseconds.</summary>
    public double DurationMs { get; init; }

    /// <summary>Gets the attribution of the call.</summary>
    /// <value>
    /// Read-only (<see cref="LlmCostTags.IsReadOnly"/>): tags given here that are not read-only are copied, so changing them
    /// later never changes the record. The default value is <see cref="LlmCostTags.Empty"/>.
    /// </value>
    public LlmCostTags Tags
    {
        get => _tags;
        init => _tags = value?.ToReadOnly() ?? LlmCostTags.Empty;
    }

    /// <summary>Gets the normalized token usage.</summary>
    public TokenUsage Usage { get; init; } = TokenUsage.None;

    /// <summary>Gets the cost, or <see langword="null"/> when no price is known for the model.</summary>
    public CostBreakdown? Cost
    {
        get => _cost;
        init => _cost = value;
    }

    /// <summary>Gets the price-table entry that priced the call, or <see langword="null"/> when none did.</summary>
    public PriceReference? Price
    {
        get => _price;
        init => _price = value;
    }

    /// <summary>
    /// Prices a record the writer has just built on the pump, before anyone else sees it (<see cref="CostPricer.PriceNew"/>):
    /// one record per call instead of an unpriced one and its priced copy. Never used on a record that was handed out.
    /// </summary>
    internal void SetPricing(CostBreakdown? cost, PriceReference? price)
    {
        _cost = cost;
        _price = price;
    }

    /// <summary>Serializes the record to its one-line JSON form (camelCase, as in the JSON Lines sink).</summary>
    /// <returns>The JSON text, without a trailing newline.</returns>
    public string ToJson() => CostRecordJson.Serialize(this);

    /// <summary>
    /// Writes the record's one-line JSON form to <paramref name="output"/> as UTF-8: the same bytes as
    /// <see cref="ToJson"/>'s text encoded as UTF-8, without building the string (for sinks that store the JSON as bytes).
    /// </summary>
    /// <param name="output">Where the bytes go (for example an <see cref="System.Buffers.ArrayBufferWriter{T}"/> reused between records).</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    public void WriteJson(System.Buffers.IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        CostRecordJson.WriteTo(output, this);
    }

    /// <summary>Parses a record from its JSON form, such as one line of a JSON Lines file.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The record.</returns>
    /// <exception cref="System.Text.Json.JsonException">The text is not a valid record.</exception>
    public static CostRecord FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return CostRecordJson.Deserialize(json);
    }
}
