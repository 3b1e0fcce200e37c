namespace LlmCost.Sdk;

/// <summary>Options of the Redis budget store (<c>AddRedisBudgetStore</c>).</summary>
public sealed class RedisBudgetStoreOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string (such as <c>localhost:6379,password=…</c>).</summary>
    /// <value>The default value is <c>localhost:6379</c>.</value>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Gets or sets the prefix of every key the store writes.</summary>
    /// <value>The default value is <c>llmcost:</c>.</value>
    public string KeyPrefix { get; set; } = "llmcost:";

    /// <summary>
    /// Gets or sets the longest a budget operation waits for Redis before the store falls back to local enforcement
    /// (it bounds what a slow Redis adds to a call).
    /// </summary>
    /// <value>The default value is one second.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets a value indicating whether calls in scope of a budget with a hard cap are refused while Redis is
    /// unavailable (fail closed). Otherwise (fail open, the default) each instance enforces its budgets locally, in
    /// memory, until Redis is back.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FailClosed { get; set; }
}
