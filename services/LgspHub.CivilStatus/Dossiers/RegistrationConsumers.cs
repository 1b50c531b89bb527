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
        if (await db.DossierAwaitingRegistrationAsync(context.Message.DossierId, context.CancellationToken) is not { } dossier)
            return;

        var declared = JsonSerializer.Deserialize<BirthDeclared>(dossier.Declaration, DossierJson.Options)!;
        var now = clock.GetUtcNow();
        var number = await db.RegisterAsync(dossier, RegistrationKind.Birth, null, declared.ChildFullName, declared.ChildDateOfBirth,
            declared.Residence.CommuneCode, now, context.CancellationToken);
        dossier.Complete("parents-verification", "Parents found alive; the residence is a parent's.", now);
        dossier.Complete("birth-registration", $"Birth registered as {number}.", now, new StepOutputs { RegistrationNumber = number });
        db.PublishOnCommit(new BirthRegistered(dossier.Id, number, declared.ChildFullName, declared.ChildSex, declared.ChildDateOfBirth,
            declared.MotherPersonalId, declared.FatherPersonalId, declared.Residence));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>The deceased is verified: the commune registers the death, once per dossier and once per person.</summary>
public sealed class DeathDeclarationVerifiedConsumer(CivilStatusDb db, TimeProvider clock) : IConsumer<DeathDeclarationVerified>
{
    public async Task Consume(ConsumeContext<DeathDeclarationVerified> context)
    {
        if (await db.DossierAwaitingRegistrationAsync(context.Message.DossierId, context.CancellationToken) is not { } dossier)
            return;

        var declared = JsonSerializer.Deserialize<DeathDeclared>(dossier.Declaration, DossierJson.Options)!;
        var now = clock.GetUtcNow();
        var earlier = await db.Registrations.AsNoTracking()
            .Where(r => r.SubjectPersonalId == declared.DeceasedPersonalId && r.Kind != RegistrationKind.Birth)
            .Select(r => r.Number).FirstOrDefaultAsync(context.CancellationToken);
        if (earlier is not null)
        {
            dossier.Reject("death-registration", $"This death is already registered as {earlier}.", now);
            await db.SaveChangesAsync(context.CancellationToken);
            return;
        }

        // A death is registered at the commune that registered the birth, when known.
        var commune = await db.Registrations
            .Where(r => r.SubjectPersonalId == declared.DeceasedPersonalId && r.Kind == RegistrationKind.Birth)
            .Select(r => r.CommuneCode).FirstOrDefaultAsync(context.CancellationToken) ?? "00000";
        var number = await db.RegisterAsync(dossier, RegistrationKind.Death, declared.DeceasedPersonalId, context.Message.FullName, declared.DateOfDeath,
            commune, now, context.CancellationToken);
        dossier.Complete("deceased-verification", "The deceased is in the register and was recorded alive.", now);
        dossier.Complete("death-registration", $"Death registered as {number}.", now, new StepOutputs { RegistrationNumber = number });
        db.PublishOnCommit(new DeathRegistered(dossier.Id, number, declared.DeceasedPersonalId, declared.DateOfDeath));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}

public static class DossierJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

public static class Registering
{
    /// <summary>The dossier, if it is still open and nothing is registered for it yet; a redelivered verdict finds null.</summary>
    public static async Task<Dossier?> DossierAwaitingRegistrationAsync(this CivilStatusDb db, Guid id, CancellationToken cancellationToken)
    {
        var dossier = await db.Dossiers.Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        return dossier is { IsOpen: true, RegistrationNumber: null } ? dossier : null;
    }

    /// <summary>Adds the registration in the dossier's commune book: KS (khai sinh, birth) or KT (khai tử, death), commune, year, serial.</summary>
    public static async Task<string> RegisterAsync(this CivilStatusDb db, Dossier dossier, RegistrationKind kind, PersonalId? subject,
        string subjectName, DateOnly eventDate, string commune, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var prefix = $"{(kind == RegistrationKind.Birth ? "KS" : "KT")}-{commune}-{eventDate.Year}";
        var serial = await db.NextSerialAsync(prefix,
            candidate => db.Registrations.AnyAsync(r => r.Number == $"{prefix}-{candidate:D6}", cancellationToken), cancellationToken);
        var number = $"{prefix}-{serial:D6}";
        db.Registrations.Add(new Registration
        {
            Number = number,
            Kind = kind,
            SubjectPersonalId = subject,
            SubjectName = subjectName,
            EventDate = eventDate,
            RegisteredOn = DateOnly.FromDateTime(now.UtcDateTime),
            CommuneCode = commune,
            DossierId = dossier.Id,
        });
        dossier.RegistrationNumber = number;
        return number;
    }
}
