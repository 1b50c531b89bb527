using LgspHub.AgencyDefaults;
using LgspHub.CivilStatus.Dossiers;
using LgspHub.Contracts;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.CivilStatus;

public sealed class CivilStatusDb(DbContextOptions<CivilStatusDb> options) : AgencyDbContext(options)
{
    public DbSet<Registration> Registrations => Set<Registration>();

    public DbSet<Dossier> Dossiers => Set<Dossier>();

    /// <summary>Saves, then reports each dossier whose state this save changed: one place for every consumer and endpoint.</summary>
    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        var changed = ChangeTracker.Entries<Dossier>()
            .Where(e => e.State == EntityState.Modified && e.Property(d => d.State).IsModified)
            .Select(e => e.Entity)
            .ToList();
        var saved = await base.SaveChangesAsync(cancellationToken);
        foreach (var dossier in changed)
            DossierTelemetry.StateChanged(dossier, TimeProvider.System.GetUtcNow());
        return saved;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Registration>(registration =>
        {
            registration.HasKey(r => r.Number);
            registration.HasIndex(r => r.SubjectPersonalId);
            // One dossier registers one birth or death, however often its event is delivered.
            registration.HasIndex(r => r.DossierId).IsUnique();
            // A person dies once, whatever the number of dossiers declaring it.
            registration.HasIndex(r => r.SubjectPersonalId, "IX_Registrations_OneDeathPerPerson")
                .HasFilter($"\"Kind\" = {(int)RegistrationKind.Death}").IsUnique();
        });
        modelBuilder.Entity<Dossier>(dossier =>
        {
            dossier.Property(d => d.Version).IsConcurrencyToken();
            dossier.HasMany(d => d.Steps).WithOne().HasForeignKey(s => s.DossierId);
            dossier.HasIndex(d => new { d.State, d.SubmittedAt });
            // A key is the consumer's own, per kind of dossier (keys without one are NULL, and SQLite keeps NULLs apart).
            dossier.HasIndex(d => new { d.Consumer, d.Kind, d.IdempotencyKey }).IsUnique();
        });
        modelBuilder.Entity<DossierStep>(step =>
        {
            step.HasKey(s => new { s.DossierId, s.Name });
            step.OwnsOne(s => s.Outputs, outputs => outputs.ToJson());
        });
    }

    public static IEnumerable<Registration> Seed(SyntheticProvince province)
    {
        foreach (var citizen in province.Citizens())
        {
            yield return new Registration
            {
                Number = citizen.BirthRegistrationNumber,
                Kind = RegistrationKind.Birth,
                SubjectPersonalId = citizen.PersonalId,
                SubjectName = citizen.FullName,
                EventDate = citizen.DateOfBirth,
                RegisteredOn = citizen.DateOfBirth.AddDays(14 + citizen.Index % 45),
                CommuneCode = citizen.Commune.Code,
            };
            if (citizen is { DateOfDeath: { } died, DeathRegistrationNumber: { } number })
            {
                yield return new Registration
                {
                    Number = number,
                    Kind = RegistrationKind.Death,
                    SubjectPersonalId = citizen.PersonalId,
                    SubjectName = citizen.FullName,
                    EventDate = died,
                    RegisteredOn = died.AddDays(1 + citizen.Index % 10),
                    CommuneCode = citizen.Commune.Code,
                };
            }
        }
    }
}

public enum RegistrationKind
{
    Birth,
    Death,
}

/// <summary>A civil-status registration (đăng ký hộ tịch), made at a commune.</summary>
public sealed class Registration
{
    public required string Number { get; set; }
    public RegistrationKind Kind { get; set; }
    /// <summary>Unknown for a newborn until Population issues the personal ID.</summary>
    public PersonalId? SubjectPersonalId { get; set; }
    public required string SubjectName { get; set; }
    public DateOnly EventDate { get; set; }
    public DateOnly RegisteredOn { get; set; }
    public required string CommuneCode { get; set; }
    public Guid? DossierId { get; set; }
}
