using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

public sealed class LandDb(DbContextOptions<LandDb> options) : AgencyDbContext(options)
{
    public DbSet<Parcel> Parcels => Set<Parcel>();

    public DbSet<Transfer> Transfers => Set<Transfer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Parcel>(parcel =>
        {
            parcel.HasKey(p => new { p.CommuneCode, p.MapSheet, p.ParcelNumber });
            parcel.HasIndex(p => p.OwnerPersonalId);
            parcel.Property(p => p.Version).IsConcurrencyToken();
        });
    }

    public static IEnumerable<Parcel> Seed(SyntheticProvince province) =>
        province.Citizens().SelectMany(c => c.Parcels.Select(p => new Parcel
        {
            CommuneCode = p.CommuneCode,
            MapSheet = p.MapSheet,
            ParcelNumber = p.ParcelNumber,
            AreaSquareMetres = p.AreaSquareMetres,
            LandUse = p.LandUse,
            CertificateNumber = p.CertificateNumber,
            OwnerPersonalId = c.PersonalId,
            OwnerName = c.FullName,
        }));
}

/// <summary>A land parcel (thửa đất), identified by commune, map sheet (tờ bản đồ) and parcel number (số thửa).</summary>
public sealed class Parcel
{
    public required string CommuneCode { get; set; }
    public int MapSheet { get; set; }
    public int ParcelNumber { get; set; }
    public int AreaSquareMetres { get; set; }
    public required string LandUse { get; set; }
    /// <summary>Land-use right certificate (giấy chứng nhận quyền sử dụng đất) series and number.</summary>
    public required string CertificateNumber { get; set; }
    public PersonalId OwnerPersonalId { get; set; }
    public required string OwnerName { get; set; }
    /// <summary>When Population last changed the owner's name: an older event, redelivered late, is ignored.</summary>
    public DateTimeOffset? OwnerNameAsOf { get; set; }
    /// <summary>Optimistic concurrency: a transfer and an inheritance flag cannot both win on one parcel.</summary>
    public int Version { get; set; }
    /// <summary>Set when the owner's death was registered: the parcel awaits inheritance.</summary>
    public Guid? InheritanceDossierId { get; set; }
}
