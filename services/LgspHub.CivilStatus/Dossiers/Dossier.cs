using LgspHub.Contracts;

namespace LgspHub.CivilStatus.Dossiers;

public enum DossierKind
{
    Birth,
    Death,
}

public enum DossierState
{
    InProgress,
    Completed,
    Rejected,
    /// <summary>A step's event ended in an error queue; replaying it resumes the dossier.</summary>
    Failed,
}

public enum StepState
{
    Pending,
    Completed,
    Rejected,
    Failed,
}

/// <param name="Trigger">The event that starts the step; a fault of that event in <paramref name="Agency"/> fails the step.</param>
public sealed record StepPlan(string Name, string Agency, Type Trigger);

/// <summary>One interlinked procedure (dịch vụ công liên thông): declared once, resolved by several agencies.</summary>
public sealed class Dossier
{
    public static readonly IReadOnlyDictionary<DossierKind, StepPlan[]> Plans = new Dictionary<DossierKind, StepPlan[]>
    {
        [DossierKind.Birth] =
        [
            new("parents-verification", "population", typeof(BirthDeclared)),
            new("birth-registration", "civil-status", typeof(BirthParentsVerified)),
            new("personal-id-and-residence", "population", typeof(BirthRegistered)),
            new("health-insurance-card", "health-insurance", typeof(ChildPersonalIdIssued)),
        ],
        [DossierKind.Death] =
        [
            new("deceased-verification", "population", typeof(DeathDeclared)),
            new("death-registration", "civil-status", typeof(DeathDeclarationVerified)),
            new("residence-removal", "population", typeof(DeathRegistered)),
            new("inheritance-flag", "land", typeof(DeathRegistered)),
            new("funeral-allowance", "health-insurance", typeof(PermanentResidenceRemoved)),
        ],
    };

    public Guid Id { get; init; }
    public DossierKind Kind { get; init; }
    public DossierState State { get; private set; }
    public string? Reason { get; private set; }
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public DateTimeOffset? EndedAt { get; private set; }
    public bool? OnTime { get; private set; }
    public string? RegistrationNumber { get; set; }

    /// <summary>The consumer system that submitted it (X-Lgsp-Consumer, from the gateway); empty when called directly.</summary>
    public string Consumer { get; init; } = "";

    /// <summary>
    /// The submitter's Idempotency-Key, unique per consumer and kind: a retried submission finds this dossier
    /// instead of making a second.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>SHA-256 of the canonical declaration: the same key with another declaration is refused, not answered with this dossier.</summary>
    public required string DeclarationHash { get; init; }

    /// <summary>The declaration as submitted (JSON of the contract event), kept to build the later steps' events.</summary>
    public required string Declaration { get; init; }

    public List<DossierStep> Steps { get; init; } = [];

    /// <summary>Optimistic concurrency: two events of one dossier handled at once cannot both win.</summary>
    public int Version { get; private set; }

    public static Dossier Submit(DossierKind kind, Guid id, string declaration, string declarationHash, string consumer, string? idempotencyKey,
        DateTimeOffset now, TimeSpan allowed) => new()
    {
        Id = id,
        Consumer = consumer,
        IdempotencyKey = idempotencyKey,
        DeclarationHash = declarationHash,
        Kind = kind,
        SubmittedAt = now,
        Deadline = now + allowed,
        Declaration = declaration,
        Steps = Plans[kind].Select((plan, order) => new DossierStep { DossierId = id, Name = plan.Name, Agency = plan.Agency, Order = order }).ToList(),
    };

    /// <summary>Still waiting for its steps (or for a replay): the only states in which a step may advance.</summary>
    public bool IsOpen => State is DossierState.InProgress or DossierState.Failed;

    /// <summary>The first step not yet completed: where the dossier waits.</summary>
    public DossierStep? CurrentStep => Steps.OrderBy(s => s.Order).FirstOrDefault(s => s.State != StepState.Completed);

    public void Complete(string step, string result, DateTimeOffset now, StepOutputs? outputs = null) => Update(step, StepState.Completed, result, outputs, null, now);

    public void Reject(string step, string reason, DateTimeOffset now) => Update(step, StepState.Rejected, null, null, reason, now);

    public void Fail(string step, string problem, DateTimeOffset now) => Update(step, StepState.Failed, null, null, problem, now);

    private void Update(string name, StepState state, string? result, StepOutputs? outputs, string? problem, DateTimeOffset now)
    {
        var step = Steps.SingleOrDefault(s => s.Name == name);
        // A decided step stays decided, and a closed dossier stays closed: late faults,
        // stale verdicts and duplicate events change nothing.
        if (step is null || step.State is StepState.Completed or StepState.Rejected || !IsOpen)
            return;
        (step.State, step.Result, step.Outputs, step.Problem, step.UpdatedAt) = (state, result ?? step.Result, outputs ?? step.Outputs, problem, now);
        Refresh(now);
    }

    private void Refresh(DateTimeOffset now)
    {
        Version++;
        var blocking = Steps.OrderBy(s => s.Order).FirstOrDefault(s => s.State is StepState.Rejected or StepState.Failed);
        (State, Reason) = blocking switch
        {
            { State: StepState.Rejected } => (DossierState.Rejected, blocking.Problem),
            { State: StepState.Failed } => (DossierState.Failed, blocking.Problem),
            _ when Steps.All(s => s.State == StepState.Completed) => (DossierState.Completed, null),
            _ => (DossierState.InProgress, null),
        };
        if (State is DossierState.Completed or DossierState.Rejected)
        {
            EndedAt = now;
            OnTime = State == DossierState.Completed ? now <= Deadline : null;
        }
    }
}

public sealed class DossierStep
{
    public Guid DossierId { get; init; }
    public required string Name { get; init; }
    public required string Agency { get; init; }
    public int Order { get; init; }
    public StepState State { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
    /// <summary>What the step produced, in a sentence for a person.</summary>
    public string? Result { get; set; }
    /// <summary>What the step produced, as values a client reads without parsing <see cref="Result"/>.</summary>
    public StepOutputs? Outputs { get; set; }
    /// <summary>Why it was rejected or failed, in words a person can act on.</summary>
    public string? Problem { get; set; }
}

/// <summary>
/// The values a completed step produced, beside its sentence. Each is set only by the steps that produce it, and null
/// elsewhere: the registration number (birth-registration, death-registration), the child's personal ID
/// (personal-id-and-residence), whether a free card was issued and its number (health-insurance-card), the parcels
/// flagged (inheritance-flag), and the allowance decision with the card it ended (funeral-allowance).
/// </summary>
public sealed record StepOutputs
{
    public string? RegistrationNumber { get; init; }
    public string? PersonalId { get; init; }
    public bool? CardIssued { get; init; }
    public string? CardNumber { get; init; }
    public int? ParcelsFlagged { get; init; }
    public bool? AllowanceGranted { get; init; }
    public long? AllowanceAmountVnd { get; init; }
    public string? TerminatedCardNumber { get; init; }
}

public sealed class DossierOptions
{
    public const string Section = "Dossiers";

    public TimeSpan BirthDeadline { get; set; } = TimeSpan.FromDays(5);

    public TimeSpan DeathDeadline { get; set; } = TimeSpan.FromDays(5);

    public TimeSpan DeadlineFor(DossierKind kind) => kind == DossierKind.Birth ? BirthDeadline : DeathDeadline;
}
