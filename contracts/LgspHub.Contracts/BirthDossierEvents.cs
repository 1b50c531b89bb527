namespace LgspHub.Contracts;

// The birth dossier (Project 06): birth registration → personal ID and permanent residence → free card under 6.
// Every event carries the dossier's id, which is also each step's idempotency key.

public record ResidenceAddress(string CommuneCode, string Street);

/// <summary>A parent declared a birth once, at civil status; Population checks the parents first.</summary>
public record BirthDeclared(
    Guid DossierId,
    string ChildFullName,
    Sex ChildSex,
    DateOnly ChildDateOfBirth,
    string PlaceOfBirth,
    PersonalId MotherPersonalId,
    PersonalId? FatherPersonalId,
    ResidenceAddress Residence);

/// <summary>Population found the parents alive, and the declared residence is a parent's permanent residence.</summary>
public record BirthParentsVerified(Guid DossierId);

public record BirthRegistered(
    Guid DossierId,
    string RegistrationNumber,
    string ChildFullName,
    Sex ChildSex,
    DateOnly ChildDateOfBirth,
    PersonalId MotherPersonalId,
    PersonalId? FatherPersonalId,
    ResidenceAddress Residence);

public record ChildPersonalIdIssued(Guid DossierId, PersonalId PersonalId, string FullName, DateOnly DateOfBirth, string PermanentAddress, string CommuneCode);

public record ChildCardIssued(Guid DossierId, PersonalId PersonalId, string CardNumber);

/// <summary>No free card: the child is already six or older when registered.</summary>
public record ChildCardNotIssued(Guid DossierId, PersonalId PersonalId, string Reason);
