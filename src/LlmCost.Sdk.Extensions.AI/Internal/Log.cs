using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>The decorators' log messages (event ids 100-149, beside the core's).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "LLM cost tracking could not read a Microsoft.Extensions.AI response; the call is recorded with what was read and the application's call was not affected.")]
    public static partial void ReadFailed(ILogger logger, Exception exception);
}
