namespace LlmCost.Sdk.Cli;

/// <summary>The exit codes of <c>llmcost</c>; scripts rely on them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary><c>reconcile --fail-on-variance</c> found days beyond the tolerance.</summary>
    public const int VarianceFound = 1;

    /// <summary>The command line is wrong: an unknown option or value, a bad date, time zone or dimension, a wrong provider.</summary>
    public const int UsageError = 2;

    /// <summary>An input cannot be read: a missing file, an unreadable database, an invalid export or price table.</summary>
    public const int InputError = 3;

    /// <summary>The input exists in the CLI's design but not in this build.</summary>
    public const int NotAvailable = 4;

    /// <summary>The command was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
