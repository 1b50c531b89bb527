namespace LgspHub.Conform;

/// <summary>What the exit code says: conformant (0), not (1), or the run could not be made (2, 3).</summary>
public static class ExitCodes
{
    public const int Conformant = 0;
    public const int NotConformant = 1;
    public const int Usage = 2;
    /// <summary>No contract, or the system or the broker did not answer: nothing was scored.</summary>
    public const int CouldNotRun = 3;

    public const string Summary = "exit 0 conformant (100 %), 1 not conformant, 2 bad options, 3 could not run";
}
