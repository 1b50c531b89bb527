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

/// <summary>The operations the built-in flows send, named as the gateway names them in /ops and the report.</summary>
public static class Operations
{
    public const string VerifyIdentity = "population.verify-identity";
    public const string ReadCitizen = "population.read-citizen";
    public const string CheckCard = "health-insurance.check-card";
    public const string CheckIn = "health-insurance.check-in";
    public const string ReadParcel = "land.read-parcel";
    public const string ParcelsOfOwner = "land.parcels-of-owner";
    public const string RecordTransfer = "land.record-transfer";
    public const string ReadRegistration = "civil-status.read-registration";
    public const string RegistrationsOfPerson = "civil-status.registrations-of-person";
    public const string SubmitBirthDossier = "civil-status.submit-birth-dossier";
    public const string SubmitDeathDossier = "civil-status.submit-death-dossier";
    public const string ReadDossier = "civil-status.read-dossier";

    /// <summary>What each flow sends: a check's operation must be one of these (or a sequence step's) to ever run.</summary>
    public static IReadOnlyList<string> Of(FlowKind flow) => flow switch
    {
        FlowKind.VerifyIdentity => [VerifyIdentity],
        FlowKind.ReadCitizen => [ReadCitizen],
        FlowKind.CheckCard => [CheckCard],
        FlowKind.CheckIn => [CheckIn],
        FlowKind.ReadParcel => [ReadParcel],
        FlowKind.ParcelsOfOwner => [ParcelsOfOwner],
        FlowKind.LandTransfer => [ReadParcel, RecordTransfer],
        FlowKind.ReadRegistration => [ReadRegistration],
        FlowKind.RegistrationsOfPerson => [RegistrationsOfPerson],
        FlowKind.BirthDossier => [SubmitBirthDossier, ReadDossier],
        FlowKind.DeathDossier => [VerifyIdentity, SubmitDeathDossier, ReadDossier],
        _ => throw new ArgumentOutOfRangeException(nameof(flow), flow, null),
    };
}
