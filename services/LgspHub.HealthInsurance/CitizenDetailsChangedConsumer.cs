using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

/// <summary>Keeps the card holder's printed details in step with Population. Setting values is idempotent, and an older change never overwrites a newer one.</summary>
public sealed class CitizenDetailsChangedConsumer(HealthInsuranceDb db) : IConsumer<CitizenDetailsChanged>
{
    public async Task Consume(ConsumeContext<CitizenDetailsChanged> context)
    {
        var changed = context.Message;
        var card = await db.Cards.SingleOrDefaultAsync(c => c.PersonalId == changed.PersonalId, context.CancellationToken);
        if (card is null || card.HolderDetailsAsOf >= changed.ChangedAt)
            return;
        card.HolderName = changed.FullName;
        card.DateOfBirth = changed.DateOfBirth;
        card.HolderDetailsAsOf = changed.ChangedAt;
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
