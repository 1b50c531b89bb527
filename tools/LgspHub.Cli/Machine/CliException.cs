namespace LgspHub.Cli.Machine;

/// <summary>A command that cannot go on: its message is printed as "lgsp: error: …" and the process exits with the code.</summary>
internal class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The command was called wrongly (exit 2): its message says how, then where the help is.</summary>
internal sealed class UsageException(string message) : CliException(message, ExitCodes.Usage);

internal static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;
}
