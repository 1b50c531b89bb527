using System.Reflection;
using LgspHub.Contracts;
using MassTransit;

namespace LgspHub.Messaging;

/// <summary>One receive endpoint of the hub: an agency's durable queue and the events it consumes.</summary>
/// <param name="Consumer">The consumer's name as MassTransit's kebab-case formatter writes it (its class name without "Consumer").</param>
public sealed record HubEndpoint(string Agency, string Consumer, params Type[] Messages)
{
    public string Queue => $"{Agency}-{Consumer}";
}

/// <summary>
/// Who consumes what in the hub, the one place it is written: each agency checks at start that its consumers are
/// listed here, and the broker users' permissions (deploy/compose/definitions.json, checked by the deploy tests)
/// follow it. An event published on a fresh broker before its consumer first started is not lost: the outbox
/// publishes mandatory, the broker returns what no queue takes, and it stays pending until the queue exists.
/// </summary>
public static class HubTopology
{
    public static readonly IReadOnlyList<HubEndpoint> Endpoints =
    [
        new(HubAgencies.Population, "birth-declared", typeof(BirthDeclared)),
        new(HubAgencies.Population, "birth-registered", typeof(BirthRegistered)),
        new(HubAgencies.Population, "death-declared", typeof(DeathDeclared)),
        new(HubAgencies.Population, "death-registered", typeof(DeathRegistered)),
        new(HubAgencies.CivilStatus, "birth-parents-verified", typeof(BirthParentsVerified)),
        new(HubAgencies.CivilStatus, "death-declaration-verified", typeof(DeathDeclarationVerified)),
        new(HubAgencies.CivilStatus, "dossier-progress",
            typeof(DossierRejected), typeof(ChildPersonalIdIssued), typeof(ChildCardIssued), typeof(ChildCardNotIssued),
            typeof(PermanentResidenceRemoved), typeof(ParcelsFlaggedForInheritance), typeof(FuneralAllowanceDecided)),
        // MassTransit publishes a Fault<T> when an event fails every retry; civil status shows it on the dossier.
        new(HubAgencies.CivilStatus, "dossier-fault",
            typeof(Fault<BirthDeclared>), typeof(Fault<BirthParentsVerified>), typeof(Fault<BirthRegistered>), typeof(Fault<ChildPersonalIdIssued>),
            typeof(Fault<ChildCardIssued>), typeof(Fault<ChildCardNotIssued>), typeof(Fault<DeathDeclared>), typeof(Fault<DeathDeclarationVerified>),
            typeof(Fault<DeathRegistered>), typeof(Fault<PermanentResidenceRemoved>), typeof(Fault<ParcelsFlaggedForInheritance>),
            typeof(Fault<FuneralAllowanceDecided>), typeof(Fault<DossierRejected>)),
        new(HubAgencies.Land, "death-registered", typeof(DeathRegistered)),
        new(HubAgencies.Land, "citizen-details-changed", typeof(CitizenDetailsChanged)),
        new(HubAgencies.HealthInsurance, "child-personal-id-issued", typeof(ChildPersonalIdIssued)),
        new(HubAgencies.HealthInsurance, "permanent-residence-removed", typeof(PermanentResidenceRemoved)),
        new(HubAgencies.HealthInsurance, "citizen-details-changed", typeof(CitizenDetailsChanged)),
    ];

    /// <summary>The one agency that publishes each contract event (the AsyncAPI document's send operations).</summary>
    public static readonly IReadOnlyDictionary<Type, string> Publishers = new Dictionary<Type, string>
    {
        [typeof(BirthDeclared)] = HubAgencies.CivilStatus,
        [typeof(BirthParentsVerified)] = HubAgencies.Population,
        [typeof(BirthRegistered)] = HubAgencies.CivilStatus,
        [typeof(ChildPersonalIdIssued)] = HubAgencies.Population,
        [typeof(ChildCardIssued)] = HubAgencies.HealthInsurance,
        [typeof(ChildCardNotIssued)] = HubAgencies.HealthInsurance,
        [typeof(DeathDeclared)] = HubAgencies.CivilStatus,
        [typeof(DeathDeclarationVerified)] = HubAgencies.Population,
        [typeof(DeathRegistered)] = HubAgencies.CivilStatus,
        [typeof(PermanentResidenceRemoved)] = HubAgencies.Population,
        [typeof(ParcelsFlaggedForInheritance)] = HubAgencies.Land,
        [typeof(FuneralAllowanceDecided)] = HubAgencies.HealthInsurance,
        [typeof(DossierRejected)] = HubAgencies.Population,
        [typeof(CitizenDetailsChanged)] = HubAgencies.Population,
    };

    /// <summary>A contract event, or MassTransit's fault of one: what travels between agencies.</summary>
    public static bool IsHubMessage(Type type) =>
        type.Assembly == typeof(BirthDeclared).Assembly
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Fault<>) && IsHubMessage(type.GetGenericArguments()[0]));

    /// <summary>
    /// The differences between an agency's consumers of hub messages and what <see cref="Endpoints"/> lists for it:
    /// a consumer missing there would have no queue until its agency first starts, which is the loss this prevents.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(string agency, IEndpointNameFormatter names, IEnumerable<Type> consumers)
    {
        var problems = new List<string>();
        foreach (var consumer in consumers)
        {
            var messages = consumer.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
                .Select(i => i.GetGenericArguments()[0])
                .Where(IsHubMessage)
                .ToHashSet();
            if (messages.Count == 0)
                continue;
            var queue = (string)ConsumerNameMethod.MakeGenericMethod(consumer).Invoke(names, null)!;
            var listed = Endpoints.SingleOrDefault(q => q.Agency == agency && q.Queue == queue);
            if (listed is null)
                problems.Add($"{consumer.Name} (queue {queue}) is not in HubTopology.Endpoints");
            else if (!messages.SetEquals(listed.Messages))
                problems.Add($"{consumer.Name} consumes {Names(messages)}, but HubTopology.Endpoints lists {Names(listed.Messages)} for {queue}");
        }
        return problems;
    }

    private static string Names(IEnumerable<Type> messages) =>
        string.Join(", ", messages.Select(m => m.IsGenericType ? $"Fault<{m.GetGenericArguments()[0].Name}>" : m.Name).Order(StringComparer.Ordinal));

    private static readonly MethodInfo ConsumerNameMethod = typeof(IEndpointNameFormatter).GetMethod(nameof(IEndpointNameFormatter.Consumer))!;

    /// <summary>The consumers <c>AddConsumers(assembly)</c> registers.</summary>
    public static IEnumerable<Type> ConsumersIn(Assembly assembly) =>
        assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
            && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)));
}
