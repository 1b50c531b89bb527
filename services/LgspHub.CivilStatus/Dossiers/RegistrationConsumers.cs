using System.Text.Json;
using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.CivilStatus.Dossiers;

/// <summary>The parents are verified: the commune registers the birth, once per dossier.</summary>
public sealed class BirthParentsVerifiedConsumer(CivilStatusDb db, TimeProvider clock) : IConsumer<BirthParentsVerified>
{
    public async Task Consume(ConsumeContext<BirthParentsVerified> context)
    {
        var dossier = await db.Dossiers.Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == context.Message.DossierId, context.CancellationToken);
        if (dossier is null || dossier.RegistrationNumber is not null)
            return;

        var declared = JsonSerializer.Deserialize<BirthDeclared>(dossier.Declaration, DossierJson.Options)!;
        var number = await db.NextRegistrationNumberAsync("KS", declared.Residence.CommuneCode, declared.ChildDateOfBirth.Year, context.CancellationToken);
        var now = clock.GetUtcNow();
        db.Registrations.Add(new Registration
        {
            Number = number,
            Kind = RegistrationKind.Birth,
            SubjectName = declared.ChildFullName,
            EventDate = declared.ChildDateOfBirth,
            RegisteredOn = DateOnly.FromDateTime(now.UtcDateTime),
            CommuneCode = declared.Residence.CommuneCode,
            DossierId = dossier.Id,
        });
        dossier.RegistrationNumber = number;
        dossier.Complete("parents-verification", "Parents found alive; the residence is a parent's.", now);
        dossier.Complete("birth-registration", $"Birth registered as {number}.", now);
        db.Publish(new BirthRegistered(dossier.Id, number, declared.ChildFullName, declared.ChildSex, declared.ChildDateOfBirth,
            declared.MotherPersonalId, declared.FatherPersonalId, declared.Residence));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>The deceased is verified: the commune registers the death, once per dossier.</summary>
public sealed class DeathDeclarationVerifiedConsumer(CivilStatusDb db, TimeProvider clock) : IConsumer<DeathDeclarationVerified>
{
    public async Task Consume(ConsumeContext<DeathDeclarationVerified> context)
    {
        var dossier = await db.Dossiers.Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == context.Message.DossierId, context.CancellationToken);
        if (dossier is null || dossier.RegistrationNumber is not null)
            return;

        var declared = JsonSerializer.Deserialize<DeathDeclared>(dossier.Declaration, DossierJson.Options)!;
        var commune = await db.Registrations
            .Where(r => r.SubjectPersonalId == declared.DeceasedPersonalId && r.Kind == RegistrationKind.Birth)
            .Select(r => r.CommuneCode).FirstOrDefaultAsync(context.CancellationToken) ?? "00000";
        var number = await db.NextRegistrationNumberAsync("KT", commune, declared.DateOfDeath.Year, context.CancellationToken);
        var now = clock.GetUtcNow();
        db.Registrations.Add(new Registration
        {
            Number = number,
            Kind = RegistrationKind.Death,
            SubjectPersonalId = declared.DeceasedPersonalId,
            SubjectName = context.Message.FullName,
            EventDate = declared.DateOfDeath,
            RegisteredOn = DateOnly.FromDateTime(now.UtcDateTime),
            CommuneCode = commune,
            DossierId = dossier.Id,
        });
        dossier.RegistrationNumber = number;
        dossier.Complete("deceased-verification", "The deceased is in the register and was recorded alive.", now);
        dossier.Complete("death-registration", $"Death registered as {number}.", now);
        db.Publish(new DeathRegistered(dossier.Id, number, declared.DeceasedPersonalId, declared.DateOfDeath));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}

public static class DossierJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

public static class RegistrationNumbers
{
    /// <summary>KS (khai sinh, birth) or KT (khai tử, death), the commune, the year, a serial in that book.</summary>
    public static async Task<string> NextRegistrationNumberAsync(this CivilStatusDb db, string book, string commune, int year, CancellationToken cancellationToken)
    {
        var prefix = $"{book}-{commune}-{year}";
        var serial = await db.NextSerialAsync(prefix,
            candidate => db.Registrations.AnyAsync(r => r.Number == $"{prefix}-{candidate:D6}", cancellationToken), cancellationToken);
        return $"{prefix}-{serial:D6}";
    }
}
