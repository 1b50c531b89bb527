namespace LgspHub.Contracts;

// The death dossier (Project 06): death registration → removal of permanent residence → funeral allowance,
// with the health-insurance card ended and land parcels flagged for inheritance.

public record DeathDeclared(Guid DossierId, PersonalId DeceasedPersonalId, DateOnly DateOfDeath, string PlaceOfDeath);

public record DeathDeclarationVerified(Guid DossierId, string FullName);

public record DeathRegistered(Guid DossierId, string RegistrationNumber, PersonalId DeceasedPersonalId, DateOnly DateOfDeath);

public record PermanentResidenceRemoved(Guid DossierId, PersonalId PersonalId, DateOnly DateOfDeath);

public record FuneralAllowanceDecided(Guid DossierId, PersonalId PersonalId, bool Granted, long AmountVnd, string Decision, string? TerminatedCardNumber);

public record ParcelsFlaggedForInheritance(Guid DossierId, PersonalId PersonalId, int ParcelCount);
