namespace LgspHub.Contracts;

/// <summary>Population changed a citizen's identity details; holders of copies (cards, land records) refresh them.</summary>
public record CitizenDetailsChanged(
    PersonalId PersonalId,
    string FullName,
    DateOnly DateOfBirth,
    Sex Sex,
    string PermanentAddress,
    DateTimeOffset ChangedAt);
