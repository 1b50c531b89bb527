namespace LgspHub.Contracts;

/// <summary>
/// The hub's agencies by name, written once: the name is each agency's host, its routes (/api/&lt;name&gt;/), its gateway
/// clusters, its queues (&lt;name&gt;-&lt;consumer&gt;) and its broker user.
/// </summary>
public static class HubAgencies
{
    public const string Population = "population";
    public const string CivilStatus = "civil-status";
    public const string Land = "land";
    public const string HealthInsurance = "health-insurance";

    public static readonly IReadOnlyList<string> All = [Population, CivilStatus, Land, HealthInsurance];

    /// <summary>The agency whose queue (or other name) this is: "&lt;agency&gt;-…", or null.</summary>
    public static string? OwnerOf(string queue) => All.FirstOrDefault(a => queue.StartsWith(a + "-", StringComparison.Ordinal));
}
