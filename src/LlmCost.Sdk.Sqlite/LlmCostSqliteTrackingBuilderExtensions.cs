using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCost.Sdk;

/// <summary>Adds the SQLite sink to LLM cost tracking.</summary>
public static class LlmCostSqliteTrackingBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="SqliteCostSink"/> that writes every record to a SQLite file, the embedded default store for
    /// local and single-instance apps. Read it back with <see cref="SqliteCostRecordStore"/> or <c>llmcost report --db</c>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLlmCostTracking</c>.</param>
    /// <param name="path">The database file; created with its folder when missing, migrated forward when older.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddSqliteSink(this LlmCostTrackingBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.AddSingleton<ICostSink>(sp =>
            new SqliteCostSink(path, sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return builder;
    }
}
