using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LgspHub.Contracts;
using LgspHub.Seeding;

namespace LgspHub.ServiceDefaults.Tests;

public class SyntheticProvinceTests
{
    private static readonly SeedOptions Options = new() { Value = 7, Citizens = 3_000, ReferenceDate = new DateOnly(2026, 1, 1) };

    [Fact]
    public void The_same_seed_gives_the_same_province()
    {
        var first = new SyntheticProvince(Options).Citizens().ToList();
        var second = new SyntheticProvince(Options).Citizens().ToList();

        Assert.Equal(first.Select(Describe), second.Select(Describe));
    }

    [Fact]
    public void A_different_seed_gives_different_people()
    {
        var other = new SeedOptions { Value = 8, Citizens = Options.Citizens, ReferenceDate = Options.ReferenceDate };

        var a = new SyntheticProvince(Options).Citizens().Select(c => c.PersonalId).ToHashSet();
        var b = new SyntheticProvince(other).Citizens().Select(c => c.PersonalId).ToHashSet();

        Assert.True(a.Intersect(b).Count() < a.Count / 10);
    }

    [Fact]
    public void Personal_ids_are_unique_and_agree_with_sex_and_year_of_birth()
    {
        var citizens = new SyntheticProvince(Options).Citizens().ToList();

        Assert.Equal(citizens.Count, citizens.Select(c => c.PersonalId).Distinct().Count());
        Assert.All(citizens, c =>
        {
            Assert.True(PersonalId.IsWellFormed(c.PersonalId.Value));
            Assert.Equal(c.Sex, c.PersonalId.Sex);
            Assert.Equal(c.DateOfBirth.Year, c.PersonalId.BirthYear);
            Assert.True(c.DateOfBirth < Options.ReferenceDate);
        });
        Assert.True(citizens.Count(c => c.PersonalId.ProvinceCode == SyntheticProvince.HubProvinceCode) > citizens.Count * 3 / 4);
    }

    [Fact]
    public void Living_citizens_hold_cards_and_children_under_six_hold_free_ones()
    {
        var citizens = new SyntheticProvince(Options).Citizens().ToList();

        Assert.All(citizens, c => Assert.Equal(c.DateOfDeath is null, c.Card is not null));
        Assert.All(citizens.Where(c => c.Card is not null), c =>
        {
            Assert.Matches("^(TE1|HT2|GD4|DN4)49[0-9]{10}$", c.Card!.CardNumber);
            Assert.EndsWith(c.PersonalId.Value[2..], c.Card.CardNumber, StringComparison.Ordinal);
        });
        var children = citizens.Where(c => c.Card is not null && c.DateOfBirth > Options.ReferenceDate.AddYears(-5)).ToList();
        Assert.NotEmpty(children);
        Assert.All(children, c => Assert.Equal("TE", c.Card!.BeneficiaryGroup));
    }

    [Fact]
    public void Only_adults_own_parcels_and_parcel_numbers_never_repeat()
    {
        var citizens = new SyntheticProvince(Options).Citizens().ToList();
        var parcels = citizens.SelectMany(c => c.Parcels).ToList();

        Assert.True(parcels.Count > citizens.Count / 4);
        Assert.All(citizens.Where(c => c.Parcels.Count > 0), c => Assert.True(c.DateOfBirth <= Options.ReferenceDate.AddYears(-18)));
        Assert.Equal(parcels.Count, parcels.Select(p => (p.CommuneCode, p.MapSheet, p.ParcelNumber)).Distinct().Count());
    }

    [Fact]
    public void The_deceased_have_death_registrations_and_everyone_a_birth_registration()
    {
        var citizens = new SyntheticProvince(Options).Citizens().ToList();

        Assert.Contains(citizens, c => c.DateOfDeath is not null);
        Assert.All(citizens, c => Assert.Equal(c.DateOfDeath is not null, c.DeathRegistrationNumber is not null));
        Assert.Equal(citizens.Count, citizens.Select(c => c.BirthRegistrationNumber).Distinct().Count());
    }

    [Theory]
    [InlineData(2026, "D74087767590E1E7ACF825344B2B811384279CB526623A8C44BF71E38F1CD884")]
    [InlineData(7, "0533B7C83754BDD93877D0E584670E17F1DDF9B001422C8F54A6A9A0435E2B38")]
    public void Citizens_below_a_million_are_those_the_generator_gave_before_it_was_widened(int seed, string digest)
    {
        // Digests taken from the generator as it was when it stopped at 10^6 citizens: tests, the load tool's pools and
        // the benches name people and parcels of the default seed.
        var province = new SyntheticProvince(new SeedOptions { Value = seed, Citizens = SyntheticProvince.MaxCitizens });

        Assert.Equal(digest, Digest(FixedSample.Select(province.Citizen)));
    }

    [Fact]
    public void A_citizen_past_a_million_is_the_twin_of_the_other_sex_of_the_one_a_million_below()
    {
        var province = new SyntheticProvince(new SeedOptions { Value = 2026, Citizens = 1_500_000 });

        foreach (var index in Enumerable.Range(0, 2_000).Select(i => i * 250))
        {
            var lower = province.Citizen(index);
            var twin = province.Citizen(index + 1_000_000);
            Assert.Equal(lower.PersonalId.Value[^6..], twin.PersonalId.Value[^6..]);
            Assert.NotEqual(lower.Sex, twin.Sex);
            Assert.Equal(twin.Sex, twin.PersonalId.Sex);
            Assert.Equal(twin.DateOfBirth.Year, twin.PersonalId.BirthYear);
        }
    }

    [Fact]
    public void Ids_card_numbers_parcels_and_registrations_stay_unique_across_the_million_boundary()
    {
        var province = new SyntheticProvince(new SeedOptions { Value = 2026, Citizens = 1_500_000 });
        // Each twin's lower citizen, the citizens either side of the boundary, and the last ones of a full province.
        var indexes = Enumerable.Range(0, 10_000)
            .Concat(Enumerable.Range(1_000_000, 10_000))
            .Concat(Enumerable.Range(990_000, 10_000))
            .Concat(Enumerable.Range(1_490_000, 10_000))
            .Concat(Enumerable.Range(490_000, 10_000));
        var citizens = indexes.Select(province.Citizen).ToList();

        AssertUnique(citizens.Select(c => c.PersonalId.Value));
        AssertUnique(citizens.Where(c => c.Card is not null).Select(c => c.Card!.CardNumber));
        AssertUnique(citizens.SelectMany(c => c.Parcels).Select(p => (p.CommuneCode, p.MapSheet, p.ParcelNumber)));
        AssertUnique(citizens.Select(c => c.BirthRegistrationNumber));
        Assert.All(citizens.Where(c => c.Card is not null), c => Assert.EndsWith(c.PersonalId.Value[2..], c.Card!.CardNumber, StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_province_comes_near_the_parcels_and_cards_of_a_real_one()
    {
        // Every 50th of 1.5 million citizens: the whole would take seconds to generate.
        const int Step = 50;
        var province = new SyntheticProvince(new SeedOptions { Value = 2026, Citizens = 1_500_000 });
        var sample = Enumerable.Range(0, 1_500_000 / Step).Select(i => province.Citizen(i * Step)).ToList();

        var parcels = sample.Sum(c => c.Parcels.Count) * Step;
        var cards = sample.Count(c => c.Card is not null) * Step;

        // BRIEF (Vĩnh Phúc): 1,446,292 land parcels; 1,080,997 IDs synchronised with health-insurance cards.
        Assert.InRange(parcels, 1_446_292 * 0.97, 1_446_292 * 1.03);
        Assert.InRange(cards, 1_080_997 * 0.97, 1_080_997 * 1.03);
    }

    [Fact]
    public void A_province_holds_at_most_two_million_citizens()
    {
        Assert.Throws<InvalidOperationException>(() => new SyntheticProvince(new SeedOptions { Citizens = SyntheticProvince.MaxCitizens + 1 }).Citizens().First());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticProvince(Options).Citizen(SyntheticProvince.MaxCitizens));
        Assert.Equal(1_499_999, new SyntheticProvince(new SeedOptions { Citizens = 1_500_000 }).Citizens().Last().Index);
    }

    private static readonly int[] FixedSample = [0, 1, 2, 3, 4_999, 123_456, 500_000, 999_998, 999_999];

    private static string Digest(IEnumerable<SyntheticCitizen> citizens) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', citizens.Select(Exactly)))));

    /// <summary>Every field of a citizen, its card and parcels, independent of the culture.</summary>
    private static string Exactly(SyntheticCitizen c) => string.Join('|',
        c.Index, c.PersonalId.Value, c.FullName, c.DateOfBirth.ToString("O", CultureInfo.InvariantCulture), c.Sex, c.PermanentAddress,
        c.DateOfDeath?.ToString("O", CultureInfo.InvariantCulture), c.BirthRegistrationNumber,
        c.Card is { } card ? $"{card.CardNumber},{card.BeneficiaryGroup},{card.ValidFrom:O},{card.ValidTo:O},{card.PrimaryCareFacility}" : "-",
        string.Join(';', c.Parcels.Select(p => $"{p.CommuneCode},{p.MapSheet},{p.ParcelNumber},{p.AreaSquareMetres},{p.LandUse},{p.CertificateNumber}")));

    private static void AssertUnique<T>(IEnumerable<T> values)
    {
        var list = values.ToList();
        Assert.Equal(list.Count, list.Distinct().Count());
    }

    private static string Describe(SyntheticCitizen c) =>
        $"{c.PersonalId}|{c.FullName}|{c.DateOfBirth}|{c.PermanentAddress}|{c.DateOfDeath}|{c.Card?.CardNumber}|{string.Join(',', c.Parcels)}";
}
