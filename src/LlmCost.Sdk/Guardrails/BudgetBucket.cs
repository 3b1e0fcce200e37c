namespace LlmCost.Sdk;

/// <summary>A spend bucket of a scope in an <see cref="IBudgetStore"/>, and when it may be deleted.</summary>
/// <param name="Name">The bucket's name within its scope.</param>
/// <param name="ExpiresAt">When the bucket may be deleted.</param>
public sealed record BudgetBucket(string Name, DateTimeOffset ExpiresAt);
