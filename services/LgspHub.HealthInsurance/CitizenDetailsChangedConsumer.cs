using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

/// <summary>Keeps the card holder's printed details in step with Population. Setting values is idempotent.</summary>
public sealed class CitizenDetailsChangedConsumer(HealthInsuranceDb db) : IConsumer<CitizenDetailsChanged>
{
    public async Task Consume(ConsumeContext<CitizenDetailsChanged> context)
    {
        var changed = context.Message;
        var card = await db.Cards.SingleOrDefaultAsync(c => c.PersonalId == changed.PersonalId, context.CancellationToken);
        if (card is null)
            return;
        card.HolderName = changed.FullName;
        card.DateOfBirth = changed.DateOfBirth;
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
