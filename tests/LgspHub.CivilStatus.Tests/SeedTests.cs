using LgspHub.AgencyDefaults;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.CivilStatus.Tests;

public sealed class SeedTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-civil-seed-").FullName;

    [Fact]
    public async Task The_seed_registers_every_birth_and_every_death_of_the_province()
    {
        var options = new SeedOptions { Value = 3, Citizens = 3_000 };
        var citizens = new SyntheticProvince(options).Citizens().ToList();
        await using var db = new CivilStatusDb(new DbContextOptionsBuilder<CivilStatusDb>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "civil-status.db")};Pooling=false").Options);

        var written = await db.EnsureSeededAsync(options, CivilStatusDb.Seed, NullLogger.Instance);

        var registrations = await db.Registrations.AsNoTracking().ToListAsync();
        Assert.Equal(registrations.Count, written);
        Assert.Equal(
            citizens.Select(c => (c.BirthRegistrationNumber, c.PersonalId.Value, c.DateOfBirth)).Order(),
            registrations.Where(r => r.Kind == RegistrationKind.Birth).Select(r => (r.Number, r.SubjectPersonalId!.Value.Value, r.EventDate)).Order());
        Assert.Equal(
            citizens.Where(c => c.DateOfDeath is not null).Select(c => (c.DeathRegistrationNumber!, c.PersonalId.Value, c.DateOfDeath!.Value)).Order(),
            registrations.Where(r => r.Kind == RegistrationKind.Death).Select(r => (r.Number, r.SubjectPersonalId!.Value.Value, r.EventDate)).Order());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
