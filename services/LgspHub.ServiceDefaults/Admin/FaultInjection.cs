using MassTransit;

namespace LgspHub.ServiceDefaults.Admin;

/// <summary>Faults an operator or a test injects into this agency while it runs.</summary>
public sealed class FaultInjection
{
    private double _consumerFailureRate;

    /// <summary>Share of consume attempts that throw, from 0 (none) to 1 (every one: events end in the error queue).</summary>
    public double ConsumerFailureRate
    {
        get => Volatile.Read(ref _consumerFailureRate);
        set => Volatile.Write(ref _consumerFailureRate, Math.Clamp(value, 0, 1));
    }

    public bool ShouldFailConsume() => ConsumerFailureRate > 0 && Random.Shared.NextDouble() < ConsumerFailureRate;

    private double _httpFailureRate;

    /// <summary>Share of the agency's API requests answered with a 503, from 0 to 1.</summary>
    public double HttpFailureRate
    {
        get => Volatile.Read(ref _httpFailureRate);
        set => Volatile.Write(ref _httpFailureRate, Math.Clamp(value, 0, 1));
    }

    public bool ShouldFailRequest() => HttpFailureRate > 0 && Random.Shared.NextDouble() < HttpFailureRate;
}

public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>
/// Puts the fault inside each consumer's own pipe, inside the retry filter: a rate of 1 exhausts
/// the retries, dead-letters the event and publishes its Fault, exactly as a real consumer error does.
/// </summary>
public sealed class FaultInjectionObserver(FaultInjection faults) : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class where TMessage : class =>
        configurator.UseFilter(new Filter<TConsumer, TMessage>(faults));

    private sealed class Filter<TConsumer, TMessage>(FaultInjection faults) : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
        where TConsumer : class where TMessage : class
    {
        public Task Send(ConsumerConsumeContext<TConsumer, TMessage> context, IPipe<ConsumerConsumeContext<TConsumer, TMessage>> next) =>
            faults.ShouldFailConsume()
                ? Task.FromException(new InjectedFaultException($"Injected consumer fault ({typeof(TMessage).Name})."))
                : next.Send(context);

        public void Probe(ProbeContext context) => context.CreateFilterScope("faultInjection");
    }
}
