using LgspHub.Contracts;

namespace LgspHub.Seeding;

/// <summary>Size and seed of the synthetic province every agency seeds its database from.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>The same value gives the same citizens, parcels, cards and registrations in every agency.</summary>
    public int Value { get; set; } = 2026;

    public int Citizens { get; set; } = 5_000;

    /// <summary>Ages are computed against this day, never the clock, so a seed gives the same people in any year.</summary>
    public DateOnly ReferenceDate { get; set; } = new(2026, 1, 1);
}

public sealed record SyntheticCitizen(
    int Index,
    PersonalId PersonalId,
    string FullName,
    DateOnly DateOfBirth,
    Sex Sex,
    Commune Commune,
    string Street,
    DateOnly? DateOfDeath,
    IReadOnlyList<SyntheticParcel> Parcels,
    SyntheticCard? Card)
{
    public string PermanentAddress => $"{Street}, {Commune.Name}, {Commune.District}, {Commune.Province}";

    public string BirthRegistrationNumber => $"KS-{Commune.Code}-{DateOfBirth.Year}-{Index + 1:D6}";

    public string? DeathRegistrationNumber => DateOfDeath is { } died ? $"KT-{Commune.Code}-{died.Year}-{Index + 1:D6}" : null;
}

public sealed record SyntheticParcel(string CommuneCode, int MapSheet, int ParcelNumber, int AreaSquareMetres, string LandUse, string CertificateNumber);

public sealed record SyntheticCard(string CardNumber, string BeneficiaryGroup, DateOnly ValidFrom, DateOnly ValidTo, string PrimaryCareFacility);

public sealed record Commune(string Code, string Name, string District, string Province);

/// <summary>
/// Deterministic synthetic population of one province. Each citizen comes from its own seeded
/// random stream, so any agency can regenerate exactly the slice it needs.
/// Written here rather than with Bogus: the data must follow Vietnamese ID, card and land
/// numbering rules that no faker locale models.
/// </summary>
public sealed class SyntheticProvince(SeedOptions options)
{
    public const string HubProvinceCode = "049";
    public const string HubProvince = "Tỉnh Quảng Nam";

    // Serials come from an affine bijection on [0, 10^6), so IDs stay unique without bookkeeping.
    private const int SerialSpace = 1_000_000;

    /// <summary>
    /// A full province (Vĩnh Phúc, say) needs more than the serial space: citizen i + 10^6 is citizen i's
    /// twin, with i's serial and the other sex, so its ID differs in the century-and-sex digit and stays unique.
    /// Twins draw everything but their sex from their own random stream; citizens below 10^6 are exactly those
    /// of a smaller seed.
    /// </summary>
    public const int MaxCitizens = 2 * SerialSpace;

    // Calibrated so that 1.5 million citizens come near the province's figures (BRIEF: 1,446,292 parcels,
    // 1,080,997 IDs synchronised with health-insurance cards), the first million being fixed as they are.
    // A twin without a card stands for a citizen whose card is not yet linked to the ID.
    private const double TwinCardShare = 0.18;
    // An adult twin's parcel count, by cumulative share: 1 to 4 (rice land is allotted in scattered strips).
    private static readonly double[] TwinParcelShares = [0.10, 0.45, 0.85, 1.0];

    public IEnumerable<SyntheticCitizen> Citizens()
    {
        if (options.Citizens is < 0 or > MaxCitizens)
            throw new InvalidOperationException($"Seed:Citizens must be between 0 and {MaxCitizens}.");
        for (var index = 0; index < options.Citizens; index++)
            yield return Citizen(index);
    }

    public SyntheticCitizen Citizen(int index)
    {
        if (index is < 0 or >= MaxCitizens)
            throw new ArgumentOutOfRangeException(nameof(index), $"A citizen's index is below {MaxCitizens}.");
        var twinOf = index >= SerialSpace ? index - SerialSpace : (int?)null;
        var random = Stream(index);
        var sex = random.Next(2) == 0 ? Sex.Male : Sex.Female;
        if (twinOf is { } lower)
            sex = Stream(lower).Next(2) == 0 ? Sex.Female : Sex.Male;
        var age = PickAge(random);
        var dateOfBirth = options.ReferenceDate.AddYears(-age - 1).AddDays(random.Next(1, 365));
        var birthProvince = random.NextDouble() < 0.85 ? HubProvinceCode : Pick(random, OtherBirthProvinces);
        var serial = (int)((7_919L * (twinOf ?? index) + options.Value) % SerialSpace);
        var personalId = PersonalId.Create(birthProvince, sex, dateOfBirth.Year, serial);

        var family = PickWeighted(random, FamilyNames);
        var middle = Pick(random, sex == Sex.Male ? MaleMiddleNames : FemaleMiddleNames);
        var given = Pick(random, sex == Sex.Male ? MaleGivenNames : FemaleGivenNames);
        var commune = Pick(random, Communes);
        var street = commune.Name.StartsWith("Phường", StringComparison.Ordinal)
            ? $"{random.Next(1, 300)} {Pick(random, Streets)}"
            : $"Thôn {random.Next(1, 12)}";

        DateOnly? dateOfDeath = age >= 65 && random.NextDouble() < 0.08
            ? options.ReferenceDate.AddDays(-random.Next(1, 1_500))
            : null;

        var parcels = new List<SyntheticParcel>();
        var parcelCount = age < 18 ? 0
            : twinOf is null ? random.NextDouble() switch { < 0.40 => 1, < 0.50 => 2, _ => 0 }
            : TwinParcelCount(random.NextDouble());
        for (var k = 0; k < parcelCount; k++)
        {
            parcels.Add(new SyntheticParcel(
                commune.Code,
                MapSheet: random.Next(1, 61),
                // The first million number their parcels 1 to 2,000,000; twins above, four numbers each.
                ParcelNumber: twinOf is { } t ? 2 * SerialSpace + t * TwinParcelShares.Length + k + 1 : index * 2 + k + 1,
                AreaSquareMetres: random.Next(80, 2_500),
                LandUse: Pick(random, LandUses),
                CertificateNumber: $"{Pick(random, CertificateSeries)} {random.Next(100_000, 1_000_000)}"));
        }

        var hasCard = dateOfDeath is null && (twinOf is null || random.NextDouble() < TwinCardShare);
        var card = hasCard ? Card(random, personalId, age, dateOfBirth, commune, options.ReferenceDate) : null;
        return new SyntheticCitizen(index, personalId, $"{family} {middle} {given}", dateOfBirth, sex, commune, street, dateOfDeath, parcels, card);
    }

    private static SyntheticCard Card(Random random, PersonalId id, int age, DateOnly dateOfBirth, Commune commune, DateOnly referenceDate)
    {
        // Beneficiary group and benefit level as printed on a BHYT card: children under 6 are free (TE, level 1).
        var (group, level) = age switch
        {
            < 6 => ("TE", 1),
            >= 60 => ("HT", 2),
            _ => random.Next(2) == 0 ? ("GD", 4) : ("DN", 4),
        };
        var cardNumber = $"{group}{level}{HubProvinceCode[1..]}{id.Value[2..]}";
        // Seeded cards stay valid for years, so the hub does not age out of its own data; a child's ends before the sixth birthday.
        var validTo = group == "TE" ? dateOfBirth.AddYears(6).AddDays(-1) : referenceDate.AddYears(10).AddDays(-1);
        var facility = random.NextDouble() < 0.7 ? PrimaryCareFacility(commune) : Pick(random, ProvincialHospitals);
        return new SyntheticCard(cardNumber, group, referenceDate, validTo, facility);
    }

    private static int TwinParcelCount(double roll) => 1 + Array.FindIndex(TwinParcelShares, share => roll < share);

    private Random Stream(int index) => new(unchecked(options.Value * 1_000_003 + index));

    private static int PickAge(Random random)
    {
        // Roughly Vietnam's age pyramid: a wide base, thinning after 60.
        var band = random.NextDouble() switch
        {
            < 0.08 => (0, 6),
            < 0.24 => (6, 18),
            < 0.60 => (18, 40),
            < 0.86 => (40, 60),
            < 0.97 => (60, 80),
            _ => (80, 95),
        };
        return random.Next(band.Item1, band.Item2);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string PickWeighted(Random random, IReadOnlyList<(string Name, int Weight)> items)
    {
        var roll = random.Next(items.Sum(i => i.Weight));
        foreach (var (name, weight) in items)
        {
            if (roll < weight)
                return name;
            roll -= weight;
        }
        return items[^1].Name;
    }

    private static readonly string[] OtherBirthProvinces = ["001", "079", "048", "052", "038", "026", "093", "051", "046"];

    // Shares of the most common Vietnamese family names, in per mille.
    private static readonly (string, int)[] FamilyNames =
    [
        ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Huỳnh", 50), ("Hoàng", 30),
        ("Phan", 45), ("Võ", 39), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13),
        ("Dương", 10), ("Lý", 5), ("Trương", 12), ("Đoàn", 8), ("Lương", 5), ("Mai", 5),
    ];

    private static readonly string[] MaleMiddleNames = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thanh", "Ngọc"];
    private static readonly string[] FemaleMiddleNames = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai", "Bảo", "Diệu"];

    private static readonly string[] MaleGivenNames =
    [
        "Anh", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khánh",
        "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh",
    ];

    private static readonly string[] FemaleGivenNames =
    [
        "An", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai",
        "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Trang", "Trinh", "Uyên", "Vân", "Yến",
    ];

    // Commune codes here are synthetic five-digit codes, not the official administrative codes.
    public static Commune? FindCommune(string code) => Array.Find(Communes, c => c.Code == code);

    /// <summary>The district health centre, where most residents register for primary care.</summary>
    public static string PrimaryCareFacility(Commune commune) =>
        $"Trung tâm Y tế {char.ToLowerInvariant(commune.District[0])}{commune.District[1..]}";

    private static readonly Commune[] Communes =
    [
        new("20305", "Phường An Mỹ", "Thành phố Tam Kỳ", HubProvince),
        new("20308", "Phường An Sơn", "Thành phố Tam Kỳ", HubProvince),
        new("20311", "Phường Hòa Hương", "Thành phố Tam Kỳ", HubProvince),
        new("20329", "Xã Tam Thăng", "Thành phố Tam Kỳ", HubProvince),
        new("20401", "Phường Minh An", "Thành phố Hội An", HubProvince),
        new("20404", "Phường Cẩm Phô", "Thành phố Hội An", HubProvince),
        new("20425", "Xã Cẩm Thanh", "Thành phố Hội An", HubProvince),
        new("20551", "Phường Vĩnh Điện", "Thị xã Điện Bàn", HubProvince),
        new("20563", "Xã Điện Hòa", "Thị xã Điện Bàn", HubProvince),
        new("20650", "Thị trấn Ái Nghĩa", "Huyện Đại Lộc", HubProvince),
        new("20662", "Xã Đại Hiệp", "Huyện Đại Lộc", HubProvince),
        new("20701", "Thị trấn Núi Thành", "Huyện Núi Thành", HubProvince),
        new("20719", "Xã Tam Nghĩa", "Huyện Núi Thành", HubProvince),
        new("20802", "Thị trấn Hà Lam", "Huyện Thăng Bình", HubProvince),
        new("20815", "Xã Bình Triều", "Huyện Thăng Bình", HubProvince),
    ];

    private static readonly string[] Streets =
        ["Phan Châu Trinh", "Hùng Vương", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Bạch Đằng", "Huỳnh Thúc Kháng"];

    // Land-use codes of Vietnam's land classification: rural and urban residential, rice, perennial crops, production forest.
    private static readonly string[] LandUses = ["ONT", "ODT", "LUC", "CLN", "RSX"];

    private static readonly string[] CertificateSeries = ["BA", "BB", "CĐ", "CH", "DA", "DB"];

    private static readonly string[] ProvincialHospitals = ["Bệnh viện Đa khoa tỉnh Quảng Nam", "Bệnh viện Đa khoa Trung ương Quảng Nam"];
}
