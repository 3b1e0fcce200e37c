using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Configures where cost records go. Returned by <c>AddLlmCostTracking</c>.</summary>
public sealed class LlmCostTrackingBuilder
{
    internal LlmCostTrackingBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a sink created by the service provider (a singleton; its dependencies are injected). Adding the same type again adds nothing.</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>()
        where TSink : class, ICostSink
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICostSink, TSink>());
        return this;
    }

    /// <summary>Adds a sink instance. Adding the same instance again adds nothing.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddSink(ICostSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!Services.Any(d => d.ServiceType == typeof(ICostSink) && ReferenceEquals(d.ImplementationInstance, sink)))
        {
            Services.AddSingleton(sink);
        }

        return this;
    }

    /// <summary>Adds a sink that appends every record as one JSON line to a file (see <see cref="JsonLinesCostSink"/>).</summary>
    /// <param name="path">The file; relative to the current directory; its folder is created when missing.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// <para>A file is one sink: adding the same file again (by its full path) adds nothing, so two registrations of one path
    /// never write every record twice.</para>
    /// <para>The file is checked at start-up (its folder created and the file opened for appending): a path that cannot be
    /// written fails start-up with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the path,
    /// instead of the first batch failing its retries and being dropped.</para>
    /// </remarks>
    public LlmCostTrackingBuilder AddJsonLinesSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var sink = new JsonLinesCostSink(path);
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (Services.Any(d => d.ServiceType == typeof(ICostSink) && d.ImplementationInstance is JsonLinesCostSink existing && string.Equals(existing.Path, sink.Path, comparison)))
        {
            return this;
        }

        Services.AddSingleton<ICostSink>(sink);
        Services.AddSingleton<IValidateOptions<LlmCostOptions>>(new JsonLinesSinkCheck(sink.Path));
        return this;
    }

    /// <summary>
    /// Adds an <see cref="InMemoryCostSink"/>, resolvable from the service provider to read the records.
    /// Calling it again adds nothing.
    /// </summary>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddInMemorySink()
    {
        if (!Services.Any(d => d.ServiceType == typeof(InMemoryCostSink)))
        {
            Services.AddSingleton<InMemoryCostSink>();
            Services.AddSingleton<ICostSink>(static sp => sp.GetRequiredService<InMemoryCostSink>());
        }

        return this;
    }

    /// <summary>
    /// Keeps every batch on disk until each sink has taken it, so a sink outage or a restart loses no record: batches a
    /// sink cannot take (it fails every retry, times out, or falls behind) stay in <paramref name="path"/> and are
    /// replayed to it in order when it takes writes again, or when the app next starts with the same folder.
    /// </summary>
    /// <param name="path">The spool's folder, owned by this app alone; created (mode 0700 on Unix) when missing. No temporary-folder fallback.</param>
    /// <param name="maxBytes">The most bytes the spool holds before its oldest batches are removed (counted); <see langword="null"/> for the default, 256 MiB.</param>
    /// <param name="maxAge">How long a batch may wait in the spool before it is removed (counted); <see langword="null"/> for the default, 7 days.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// <para>
    /// The pump writes each batch to the spool (one file per batch, written and renamed, no fsync) before handing it to
    /// the sinks, and removes it when every sink has acknowledged it. A <c>kill -9</c> therefore loses at most the records
    /// not yet pumped (those that arrived within the last <see cref="LlmCostPipelineOptions.BatchDelay"/>); a power loss may lose
    /// what the operating system had not yet written to disk.
    /// </para>
    /// <para>
    /// Replays are in order and per sink. A batch is never replayed to a sink that acknowledged it; the one batch a crash
    /// may catch between a sink's write and its acknowledgement is checked first with a <see cref="JsonLinesCostSink"/> (it
    /// is skipped when its records are already in the file), and may be written again to other sinks, which should
    /// therefore treat <see cref="CostRecord.Id"/> as a key.
    /// </para>
    /// </remarks>
    public LlmCostTrackingBuilder AddDiskSpool(string path, long? maxBytes = null, TimeSpan? maxAge = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.Configure<LlmCostOptions>(o =>
        {
            o.DiskSpoolPath = path;
            if (maxBytes is { } bytes)
            {
                o.DiskSpoolMaxBytes = bytes;
            }

            if (maxAge is { } age)
            {
                o.DiskSpoolMaxAge = age;
            }
        });
        return this;
    }
}
