namespace LlmCost.Sdk;

/// <summary>The price data is invalid. The message names the entry and the field.</summary>
/// <remarks>Thrown at start-up, when the table is loaded; never inside an LLM call.</remarks>
public sealed class PriceTableException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PriceTableException"/> class.</summary>
    public PriceTableException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PriceTableException"/> class.</summary>
    /// <param name="message">What is wrong, naming the entry.</param>
    public PriceTableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PriceTableException"/> class.</summary>
    /// <param name="message">What is wrong, naming the entry.</param>
    /// <param name="innerException">The cause.</param>
    public PriceTableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
