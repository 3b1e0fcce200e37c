using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmCost.Sdk;

/// <summary>Configures where cost records go. Returned by <c>AddLlmCostTracking</c>.</summary>
public sealed class LlmCostTrackingBuilder
{
    internal LlmCostTrackingBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a sink created by the service provider (a singleton; its dependencies are injected).</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>()
        where TSink : class, ICostSink
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICostSink, TSink>());
        return this;
    }

    /// <summary>Adds a sink instance.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddSink(ICostSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Services.AddSingleton(sink);
        return this;
    }

    /// <summary>Adds a sink that appends every record as one JSON line to a file (see <see cref="JsonLinesCostSink"/>).</summary>
    /// <param name="path">The file; its folder is created when missing.</param>
    /// <returns>This builder.</returns>
    public LlmCostTrackingBuilder AddJsonLinesSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.AddSingleton<ICostSink>(new JsonLinesCostSink(path));
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
