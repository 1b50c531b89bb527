using LgspHub.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.CivilStatus.Dossiers;

/// <summary>Follows each dossier's steps as the agencies announce their results.</summary>
public sealed class DossierProgressConsumer(CivilStatusDb db, TimeProvider clock) :
    IConsumer<DossierRejected>,
    IConsumer<ChildPersonalIdIssued>,
    IConsumer<ChildCardIssued>,
    IConsumer<ChildCardNotIssued>,
    IConsumer<PermanentResidenceRemoved>,
    IConsumer<ParcelsFlaggedForInheritance>,
    IConsumer<FuneralAllowanceDecided>
{
    public Task Consume(ConsumeContext<DossierRejected> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Reject(context.Message.Step, context.Message.Reason, now));

    public Task Consume(ConsumeContext<ChildPersonalIdIssued> context) =>
        Update(context, context.Message.DossierId, async (d, now) =>
        {
            d.Complete("personal-id-and-residence", $"Personal ID {context.Message.PersonalId} issued; permanent residence registered.", now,
                new StepOutputs { PersonalId = context.Message.PersonalId.Value });
            await db.Registrations.Where(r => r.DossierId == d.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.SubjectPersonalId, context.Message.PersonalId), context.CancellationToken);
        });

    public Task Consume(ConsumeContext<ChildCardIssued> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Complete("health-insurance-card", $"Free card {context.Message.CardNumber} issued.", now,
            new StepOutputs { CardIssued = true, CardNumber = context.Message.CardNumber }));

    public Task Consume(ConsumeContext<ChildCardNotIssued> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Complete("health-insurance-card", context.Message.Reason, now, new StepOutputs { CardIssued = false }));

    public Task Consume(ConsumeContext<PermanentResidenceRemoved> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Complete("residence-removal", "Recorded deceased; permanent residence removed.", now));

    public Task Consume(ConsumeContext<ParcelsFlaggedForInheritance> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Complete("inheritance-flag", $"{context.Message.ParcelCount} parcel(s) flagged for inheritance.", now,
            new StepOutputs { ParcelsFlagged = context.Message.ParcelCount }));

    public Task Consume(ConsumeContext<FuneralAllowanceDecided> context) =>
        Update(context, context.Message.DossierId, (d, now) => d.Complete("funeral-allowance",
            context.Message.TerminatedCardNumber is { } card ? $"{context.Message.Decision} Card {card} ended." : context.Message.Decision, now,
            new StepOutputs { AllowanceGranted = context.Message.Granted, AllowanceAmountVnd = context.Message.AmountVnd, TerminatedCardNumber = context.Message.TerminatedCardNumber }));

    private Task Update(ConsumeContext context, Guid dossierId, Action<Dossier, DateTimeOffset> change) =>
        Update(context, dossierId, (d, now) =>
        {
            change(d, now);
            return Task.CompletedTask;
        });

    private async Task Update(ConsumeContext context, Guid dossierId, Func<Dossier, DateTimeOffset, Task> change)
    {
        var dossier = await db.Dossiers.Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == dossierId, context.CancellationToken);
        if (dossier is null)
            return;
        await change(dossier, clock.GetUtcNow());
        await db.SaveChangesAsync(context.CancellationToken);
    }
}

/// <summary>
/// An event that failed every retry in some agency lands in that agency's error queue, and
/// MassTransit publishes a Fault. The dossier shows the failed step, naming the agency and the
/// queue, instead of waiting in silence. Every dossier event is listed: a fault in civil status's
/// own progress consumer must show too.
/// </summary>
public sealed class DossierFaultConsumer(CivilStatusDb db, TimeProvider clock) :
    IConsumer<Fault<BirthDeclared>>,
    IConsumer<Fault<BirthParentsVerified>>,
    IConsumer<Fault<BirthRegistered>>,
    IConsumer<Fault<ChildPersonalIdIssued>>,
    IConsumer<Fault<ChildCardIssued>>,
    IConsumer<Fault<ChildCardNotIssued>>,
    IConsumer<Fault<DeathDeclared>>,
    IConsumer<Fault<DeathDeclarationVerified>>,
    IConsumer<Fault<DeathRegistered>>,
    IConsumer<Fault<PermanentResidenceRemoved>>,
    IConsumer<Fault<ParcelsFlaggedForInheritance>>,
    IConsumer<Fault<FuneralAllowanceDecided>>,
    IConsumer<Fault<DossierRejected>>
{
    public Task Consume(ConsumeContext<Fault<BirthDeclared>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<BirthParentsVerified>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<BirthRegistered>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<ChildPersonalIdIssued>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<ChildCardIssued>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<ChildCardNotIssued>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<DeathDeclared>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<DeathDeclarationVerified>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<DeathRegistered>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<PermanentResidenceRemoved>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<ParcelsFlaggedForInheritance>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<FuneralAllowanceDecided>> context) => Fail(context, context.Message.Message.DossierId);
    public Task Consume(ConsumeContext<Fault<DossierRejected>> context) => Fail(context, context.Message.Message.DossierId);

    private async Task Fail<T>(ConsumeContext<Fault<T>> context, Guid dossierId) where T : class
    {
        var dossier = await db.Dossiers.Include(d => d.Steps).SingleOrDefaultAsync(d => d.Id == dossierId, context.CancellationToken);
        if (dossier is null)
            return;

        // The step the event starts in the faulting agency; otherwise the step the dossier waits on.
        var agency = AgencyOf(context.Message.Host.Assembly);
        var step = Array.Find(Dossier.Plans[dossier.Kind], p => p.Trigger == typeof(T) && p.Agency == agency)?.Name ?? dossier.CurrentStep?.Name;
        if (step is null)
            return;

        var cause = context.Message.Exceptions.FirstOrDefault()?.ExceptionType ?? "an error";
        dossier.Fail(step, $"{agency} could not process {typeof(T).Name} after retries ({cause}). The event waits in {agency}'s error queue: replay it to resume the dossier.",
            clock.GetUtcNow());
        await db.SaveChangesAsync(context.CancellationToken);
    }

    /// <summary>"LgspHub.HealthInsurance" → "health-insurance", the agency names used in routes and queue names.</summary>
    private static string AgencyOf(string? assembly) =>
        KebabCaseEndpointNameFormatter.Instance.SanitizeName((assembly ?? "unknown").Replace("LgspHub.", "", StringComparison.Ordinal));
}
