namespace LgspHub.Load.Flows;

/// <summary>What one arrival does: a single operation, or a short flow of them as an officer would do it.</summary>
public enum FlowKind
{
    VerifyIdentity,
    ReadCitizen,
    CheckCard,
    CheckIn,
    ReadParcel,
    ParcelsOfOwner,
    LandTransfer,
    ReadRegistration,
    RegistrationsOfPerson,
    BirthDossier,
    DeathDossier,
}

/// <summary>The names scenario files use: kebab-case, "verify-identity", "birth-dossier".</summary>
public static class FlowNames
{
    private static readonly Dictionary<string, FlowKind> ByName =
        Enum.GetValues<FlowKind>().ToDictionary(Name, StringComparer.Ordinal);

    public static IEnumerable<string> All => ByName.Keys;

    public static string Name(FlowKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    public static bool TryParse(string? name, out FlowKind kind) => ByName.TryGetValue(name ?? "", out kind);
}
