using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LlmCost.Sdk;

/// <summary>Adds the PostgreSQL sink to LLM cost tracking.</summary>
public static class LlmCostPostgreSqlTrackingBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="PostgreSqlCostSink"/> that writes every record to PostgreSQL, for many instances writing one store.
    /// The schema is created or migrated before the first batch. Read it back with <see cref="PostgreSqlCostRecordStore"/>
    /// or <c>llmcost report --pg</c>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLlmCostTracking</c>.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddPostgreSqlSink(this LlmCostTrackingBuilder builder, string connectionString) =>
        AddPostgreSqlSink(builder, connectionString, static _ => { });

    /// <summary>Adds a <see cref="PostgreSqlCostSink"/> with options.</summary>
    /// <param name="builder">The builder returned by <c>AddLlmCostTracking</c>.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Sets the options (for example <see cref="PostgreSqlCostSinkOptions.MigrateSchema"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public static LlmCostTrackingBuilder AddPostgreSqlSink(this LlmCostTrackingBuilder builder, string connectionString, Action<PostgreSqlCostSinkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(configure);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed connection string fails here, at registration
        var options = new PostgreSqlCostSinkOptions();
        configure(options);
        options.Validate(); // an option out of its range fails here, at registration
        builder.Services.AddSingleton<ICostSink>(sp =>
            new PostgreSqlCostSink(connectionString, options, sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return builder;
    }
}
