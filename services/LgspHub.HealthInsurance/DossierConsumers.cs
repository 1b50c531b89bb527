using LgspHub.Contracts;
using LgspHub.Seeding;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.HealthInsurance;

/// <summary>A newborn's personal ID is issued: children under six get a free card (group TE), once.</summary>
public sealed class ChildPersonalIdIssuedConsumer(HealthInsuranceDb db, TimeProvider clock) : IConsumer<ChildPersonalIdIssued>
{
    public async Task Consume(ConsumeContext<ChildPersonalIdIssued> context)
    {
        var child = context.Message;
        if (await db.Cards.AnyAsync(c => c.PersonalId == child.PersonalId, context.CancellationToken))
            return;

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var sixthBirthday = child.DateOfBirth.AddYears(6);
        if (today >= sixthBirthday)
        {
            db.PublishOnCommit(new ChildCardNotIssued(child.DossierId, child.PersonalId, "The child is six or older: the free card for children under six does not apply."));
        }
        else
        {
            var card = new Card
            {
                PersonalId = child.PersonalId,
                CardNumber = await CardNumberAsync(child.PersonalId, context.CancellationToken),
                HolderName = child.FullName,
                DateOfBirth = child.DateOfBirth,
                BeneficiaryGroup = "TE",
                ValidFrom = today,
                // A child's free card runs until the day before the sixth birthday.
                ValidTo = sixthBirthday.AddDays(-1),
                PrimaryCareFacility = SyntheticProvince.FindCommune(child.CommuneCode) is { } commune
                    ? SyntheticProvince.PrimaryCareFacility(commune)
                    : "Bệnh viện Đa khoa tỉnh Quảng Nam",
            };
            db.Cards.Add(card);
            db.PublishOnCommit(new ChildCardIssued(child.DossierId, child.PersonalId, card.CardNumber));
        }
        await db.SaveChangesAsync(context.CancellationToken);
    }

    /// <summary>
    /// Group TE, level 1, the province, then ten digits: the tail of the personal ID, as seeded cards have,
    /// unless an ID born elsewhere already holds that tail; then the next free number.
    /// </summary>
    private async Task<string> CardNumberAsync(PersonalId id, CancellationToken cancellationToken)
    {
        var prefix = $"TE1{SyntheticProvince.HubProvinceCode[1..]}";
        var preferred = prefix + id.Value[2..];
        if (!await db.Cards.AnyAsync(c => c.CardNumber == preferred, cancellationToken))
            return preferred;
        var serial = await db.NextSerialAsync(prefix, candidate => db.Cards.AnyAsync(c => c.CardNumber == $"{prefix}{candidate:D10}", cancellationToken), cancellationToken);
        return $"{prefix}{serial:D10}";
    }
}

/// <summary>After a death: the card ends, and the funeral allowance is decided, once per dossier.</summary>
public sealed class PermanentResidenceRemovedConsumer(HealthInsuranceDb db, TimeProvider clock) : IConsumer<PermanentResidenceRemoved>
{
    /// <summary>Ten times the statutory base salary (2,340,000 VND since 1 July 2024), per the Law on Social Insurance.</summary>
    public const long FuneralAllowanceVnd = 10 * 2_340_000;

    // Pensioners and employees contributed to social insurance; household and child cards did not.
    private static readonly string[] ContributingGroups = ["HT", "DN"];

    public async Task Consume(ConsumeContext<PermanentResidenceRemoved> context)
    {
        var removed = context.Message;
        if (await db.FuneralAllowances.AnyAsync(a => a.DossierId == removed.DossierId, context.CancellationToken))
            return;

        var card = await db.Cards.SingleOrDefaultAsync(c => c.PersonalId == removed.PersonalId, context.CancellationToken);
        if (card is not null)
            card.TerminatedOn ??= removed.DateOfDeath;

        var granted = card is not null && ContributingGroups.Contains(card.BeneficiaryGroup);
        var allowance = new FuneralAllowance
        {
            DossierId = removed.DossierId,
            PersonalId = removed.PersonalId,
            Granted = granted,
            AmountVnd = granted ? FuneralAllowanceVnd : 0,
            Decision = granted
                ? "Granted: the deceased contributed to social insurance."
                : "Not granted: the deceased did not contribute to social insurance (household, child or no card).",
            DecidedAt = clock.GetUtcNow(),
        };
        db.FuneralAllowances.Add(allowance);
        db.PublishOnCommit(new FuneralAllowanceDecided(removed.DossierId, removed.PersonalId, granted, allowance.AmountVnd, allowance.Decision, card?.CardNumber));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
