using LgspHub.Contracts;
using LgspHub.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Population;

/// <summary>Before civil status registers a death: is the person in the register, and alive?</summary>
public sealed class DeathDeclaredConsumer(PopulationDb db) : IConsumer<DeathDeclared>
{
    public async Task Consume(ConsumeContext<DeathDeclared> context)
    {
        var declared = context.Message;
        var citizen = await db.Citizens.AsNoTracking().SingleOrDefaultAsync(c => c.PersonalId == declared.DeceasedPersonalId, context.CancellationToken);
        var reason = citizen switch
        {
            null => "The deceased's personal ID is not in the population register.",
            { DeathDossierId: { } dossier } when dossier == declared.DossierId => null,
            { DateOfDeath: not null } => "This person's death is already recorded.",
            _ when declared.DateOfDeath < citizen.DateOfBirth => "The date of death is before the date of birth.",
            _ => null,
        };

        if (reason is null)
            await context.PublishConfirmedAsync(new DeathDeclarationVerified(declared.DossierId, citizen!.FullName));
        else
            await context.PublishConfirmedAsync(new DossierRejected(declared.DossierId, PopulationApi.Agency, "deceased-verification", reason));
    }
}

/// <summary>Marks the citizen deceased and removes permanent residence (Law on Residence 2020), once per dossier.</summary>
public sealed class DeathRegisteredConsumer(PopulationDb db) : IConsumer<DeathRegistered>
{
    public async Task Consume(ConsumeContext<DeathRegistered> context)
    {
        var death = context.Message;
        var citizen = await db.Citizens.SingleOrDefaultAsync(c => c.PersonalId == death.DeceasedPersonalId, context.CancellationToken)
            ?? throw new InvalidOperationException("A registered death names a citizen missing from the register.");
        if (citizen.DeathDossierId == death.DossierId)
            return;
        if (citizen.DateOfDeath is not null)
        {
            // Two dossiers for one death: the first one recorded it; this one must not remove residence or pay twice.
            await context.PublishConfirmedAsync(new DossierRejected(death.DossierId, PopulationApi.Agency, "residence-removal", "This person's death is already recorded."));
            return;
        }

        citizen.DateOfDeath = death.DateOfDeath;
        citizen.DeathDossierId = death.DossierId;
        citizen.PermanentAddress = null;
        citizen.CommuneCode = null;
        db.PublishOnCommit(new PermanentResidenceRemoved(death.DossierId, citizen.PersonalId, death.DateOfDeath));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
