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
}
