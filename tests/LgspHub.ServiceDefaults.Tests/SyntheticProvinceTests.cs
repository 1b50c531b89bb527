using LgspHub.Contracts;
using LgspHub.ServiceDefaults.Seeding;

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

    private static string Describe(SyntheticCitizen c) =>
        $"{c.PersonalId}|{c.FullName}|{c.DateOfBirth}|{c.PermanentAddress}|{c.DateOfDeath}|{c.Card?.CardNumber}|{string.Join(',', c.Parcels)}";
}
