using LgspHub.Contracts;

namespace LgspHub.Messaging.AsyncApi;

/// <summary>
/// One example of each contract event for the AsyncAPI document, written as the records themselves so that the
/// compiler keeps them in step with the contracts. The people are invented; no seed or register holds them.
/// </summary>
public static class EventExamples
{
    private static readonly Guid Dossier = Guid.Parse("0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly PersonalId Mother = PersonalId.Create("049", Sex.Female, 1995, 321);
    private static readonly PersonalId Father = PersonalId.Create("049", Sex.Male, 1992, 654);
    private static readonly PersonalId Child = PersonalId.Create("049", Sex.Male, 2026, 141);
    private static readonly PersonalId Deceased = PersonalId.Create("049", Sex.Male, 1938, 777);
    private static readonly DateOnly Born = new(2026, 11, 20);
    private static readonly DateOnly Died = new(2026, 11, 28);
    private static readonly ResidenceAddress Residence = new("20815", "Thôn 4");

    public static readonly IReadOnlyDictionary<Type, object> ByType = new object[]
    {
        new BirthDeclared(Dossier, "Trần Gia Bảo", Sex.Male, Born, "Bệnh viện Đa khoa tỉnh", Mother, Father, Residence),
        new BirthParentsVerified(Dossier),
        new BirthRegistered(Dossier, "KS-20815-2026-000123", "Trần Gia Bảo", Sex.Male, Born, Mother, Father, Residence),
        new ChildPersonalIdIssued(Dossier, Child, "Trần Gia Bảo", Born, "Thôn 4, Xã Điện Bàn", "20815"),
        new ChildCardIssued(Dossier, Child, "TE1494922600014"),
        new ChildCardNotIssued(Dossier, Child, "The child is six or older: no free card."),
        new DeathDeclared(Dossier, Deceased, Died, "Tại nhà"),
        new DeathDeclarationVerified(Dossier, "Nguyễn Văn An"),
        new DeathRegistered(Dossier, "KT-20815-2026-000045", Deceased, Died),
        new PermanentResidenceRemoved(Dossier, Deceased, Died),
        new ParcelsFlaggedForInheritance(Dossier, Deceased, 2),
        new FuneralAllowanceDecided(Dossier, Deceased, true, 23_400_000, "Granted: 23,400,000 VND.", "HT3494903800077"),
        new DossierRejected(Dossier, "population", "parents-verification", "The mother is not in the register."),
        new CitizenDetailsChanged(Child, "Trần Gia Bảo", Born, Sex.Male, "Thôn 5, Xã Điện Bàn", new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.FromHours(7))),
    }.ToDictionary(e => e.GetType());
}
