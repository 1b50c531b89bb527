using LgspHub.AgencyDefaults;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.HealthInsurance.Tests;

public sealed class SeedTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-health-seed-").FullName;

    [Fact]
    public async Task The_seed_holds_the_card_of_every_card_holder_valid_on_the_reference_day()
    {
        var options = new SeedOptions { Value = 3, Citizens = 3_000 };
        var holders = new SyntheticProvince(options).Citizens().Where(c => c.Card is not null).ToList();
        await using var db = new HealthInsuranceDb(new DbContextOptionsBuilder<HealthInsuranceDb>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "health-insurance.db")};Pooling=false").Options);

        Assert.Equal(holders.Count, await db.EnsureSeededAsync(options, HealthInsuranceDb.Seed, NullLogger.Instance));

        var cards = await db.Cards.AsNoTracking().ToListAsync();
        Assert.Equal(
            holders.Select(c => (c.PersonalId, c.Card!.CardNumber, c.FullName, c.Card.ValidTo)).OrderBy(c => c.CardNumber, StringComparer.Ordinal),
            cards.Select(c => (c.PersonalId, c.CardNumber, c.HolderName, c.ValidTo)).OrderBy(c => c.CardNumber, StringComparer.Ordinal));
        Assert.All(cards, card => Assert.True(card.IsValidOn(options.ReferenceDate)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
