namespace LgspHub.Contracts;

/// <summary>A step refused the dossier for a reason a person can act on (a parent not found, a wrong address…).</summary>
public record DossierRejected(Guid DossierId, string Agency, string Step, string Reason);
