namespace LlmCost.Sdk;

/// <summary>The kind of a scalar handed to a <see cref="UsageMapping"/>.</summary>
internal enum JsonScalarKind : byte
{
    /// <summary>A string; the bytes are the raw contents between the quotes, escapes undecoded.</summary>
    String,

    /// <summary>A number, as written.</summary>
    Number,

    /// <summary><c>true</c>, <c>false</c> or <c>null</c>.</summary>
    Literal,
}
