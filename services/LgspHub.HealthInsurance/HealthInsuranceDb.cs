using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

public sealed class HealthInsuranceDb(DbContextOptions<HealthInsuranceDb> options) : AgencyDbContext(options)
{
    public DbSet<Card> Cards => Set<Card>();

    public DbSet<FuneralAllowance> FuneralAllowances => Set<FuneralAllowance>();

    public DbSet<CheckIn> CheckIns => Set<CheckIn>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Card>(card =>
        {
            card.HasKey(c => c.PersonalId);
            card.HasIndex(c => c.CardNumber).IsUnique();
        });
        modelBuilder.Entity<FuneralAllowance>().HasKey(a => a.DossierId);
    }

    public static IEnumerable<Card> Seed(SyntheticProvince province) =>
        province.Citizens().Where(c => c.Card is not null).Select(c => new Card
        {
            PersonalId = c.PersonalId,
            CardNumber = c.Card!.CardNumber,
            HolderName = c.FullName,
            DateOfBirth = c.DateOfBirth,
            BeneficiaryGroup = c.Card.BeneficiaryGroup,
            ValidFrom = c.Card.ValidFrom,
            ValidTo = c.Card.ValidTo,
            PrimaryCareFacility = c.Card.PrimaryCareFacility,
        });
}

/// <summary>A health-insurance (BHYT) card, linked to its holder's personal ID.</summary>
public sealed class Card
{
    public PersonalId PersonalId { get; set; }
    public required string CardNumber { get; set; }
    public required string HolderName { get; set; }
    public DateOnly DateOfBirth { get; set; }
    public required string BeneficiaryGroup { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly ValidTo { get; set; }
    public required string PrimaryCareFacility { get; set; }
    public DateOnly? TerminatedOn { get; set; }

    /// <summary>When Population last changed the holder's details: an older event, redelivered late, is ignored.</summary>
    public DateTimeOffset? HolderDetailsAsOf { get; set; }

    public bool IsValidOn(DateOnly day) => TerminatedOn is null && ValidFrom <= day && day <= ValidTo;
}

/// <summary>A hospital check-in by personal ID, and whether the card covered it.</summary>
public sealed class CheckIn
{
    public Guid Id { get; init; }
    public PersonalId PersonalId { get; init; }
    public required string Facility { get; init; }
    public DateTimeOffset At { get; init; }
    public bool Covered { get; init; }
}

/// <summary>The decision on a funeral allowance (trợ cấp mai táng), one per death dossier.</summary>
public sealed class FuneralAllowance
{
    public Guid DossierId { get; set; }
    public PersonalId PersonalId { get; set; }
    public bool Granted { get; set; }
    public long AmountVnd { get; set; }
    public required string Decision { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
}
