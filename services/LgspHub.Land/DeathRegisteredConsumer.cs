using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

/// <summary>A registered death flags the deceased's parcels for inheritance, once per dossier.</summary>
public sealed class DeathRegisteredConsumer(LandDb db) : IConsumer<DeathRegistered>
{
    public async Task Consume(ConsumeContext<DeathRegistered> context)
    {
        var death = context.Message;
        if (await db.Parcels.AnyAsync(p => p.InheritanceDossierId == death.DossierId, context.CancellationToken))
            return;

        var parcels = await db.Parcels.Where(p => p.OwnerPersonalId == death.DeceasedPersonalId).ToListAsync(context.CancellationToken);
        foreach (var parcel in parcels)
        {
            parcel.InheritanceDossierId = death.DossierId;
            parcel.Version++;
        }
        // With no parcels nothing marks the dossier as handled, so a redelivery announces "0 parcels" again: harmless.
        db.PublishOnCommit(new ParcelsFlaggedForInheritance(death.DossierId, death.DeceasedPersonalId, parcels.Count));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
