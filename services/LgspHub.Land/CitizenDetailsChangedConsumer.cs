using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Land;

/// <summary>Keeps owner names on parcel records in step with Population. Setting values is idempotent, and an older change never overwrites a newer one.</summary>
public sealed class CitizenDetailsChangedConsumer(LandDb db) : IConsumer<CitizenDetailsChanged>
{
    public Task Consume(ConsumeContext<CitizenDetailsChanged> context) =>
        db.Parcels
            .Where(p => p.OwnerPersonalId == context.Message.PersonalId && (p.OwnerNameAsOf == null || p.OwnerNameAsOf < context.Message.ChangedAt))
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.OwnerName, context.Message.FullName)
                .SetProperty(p => p.OwnerNameAsOf, context.Message.ChangedAt), context.CancellationToken);
}
