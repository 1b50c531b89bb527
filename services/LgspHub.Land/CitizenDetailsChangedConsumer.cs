using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

/// <summary>Keeps owner names on parcel records in step with Population. Setting values is idempotent.</summary>
public sealed class CitizenDetailsChangedConsumer(LandDb db) : IConsumer<CitizenDetailsChanged>
{
    public Task Consume(ConsumeContext<CitizenDetailsChanged> context) =>
        db.Parcels
            .Where(p => p.OwnerPersonalId == context.Message.PersonalId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.OwnerName, context.Message.FullName), context.CancellationToken);
}
