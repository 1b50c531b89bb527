using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Population;

public sealed class PopulationDb(DbContextOptions<PopulationDb> options) : AgencyDbContext(options)
{
    public DbSet<Citizen> Citizens => Set<Citizen>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Citizen>(citizen =>
        {
            citizen.HasKey(c => c.PersonalId);
            // One birth dossier issues one personal ID, however often its event is delivered.
            citizen.HasIndex(c => c.BirthDossierId).IsUnique();
        });
    }

    public static IEnumerable<Citizen> Seed(SyntheticProvince province) =>
        province.Citizens().Select(c => new Citizen
        {
            PersonalId = c.PersonalId,
            FullName = c.FullName,
            DateOfBirth = c.DateOfBirth,
            Sex = c.Sex,
            PermanentAddress = c.PermanentAddress,
            CommuneCode = c.Commune.Code,
            DateOfDeath = c.DateOfDeath,
        });
}

public sealed class Citizen
{
    public PersonalId PersonalId { get; set; }
    public required string FullName { get; set; }
    public DateOnly DateOfBirth { get; set; }
    public Sex Sex { get; set; }
    /// <summary>Permanent residence (thường trú); null once removed.</summary>
    public string? PermanentAddress { get; set; }
    public string? CommuneCode { get; set; }
    public DateOnly? DateOfDeath { get; set; }
    public Guid? BirthDossierId { get; set; }
    public Guid? DeathDossierId { get; set; }
}
