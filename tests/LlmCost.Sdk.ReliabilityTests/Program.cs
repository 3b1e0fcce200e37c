namespace LlmCost.Sdk.ReliabilityTests;

/// <summary>
/// The test assembly's entry point: the test host does not use it; the crash test starts this assembly as a child
/// process (<c>dotnet LlmCost.Sdk.ReliabilityTests.dll crash-child …</c>) and kills it with SIGKILL.
/// </summary>
public static class Program
{
    public static int Main(string[] args) =>
        args.Length > 0 && args[0] == "crash-child" ? Pipeline.CrashChild.Run(args[1..]) : 0;
}
