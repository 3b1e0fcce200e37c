namespace LlmCost.Sdk.PriceTools;

/// <summary>The generator met a price rule it cannot represent, or inputs it cannot trust; the message names the model and the rule.</summary>
public sealed class PriceGenerationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PriceGenerationException"/> class.</summary>
    public PriceGenerationException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PriceGenerationException"/> class.</summary>
    /// <param name="message">What cannot be represented, naming the model.</param>
    public PriceGenerationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PriceGenerationException"/> class.</summary>
    /// <param name="message">What cannot be represented, naming the model.</param>
    /// <param name="innerException">The cause.</param>
    public PriceGenerationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
