using MassTransit;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;

namespace LgspHub.Faults;

public sealed class InjectedFaultException(string message) : Exception(message);

/// <summary>
/// Puts the consume faults inside each consumer's own pipe, inside the retry filter: a failure rate of 1
/// exhausts the retries, dead-letters the event and publishes its Fault, exactly as a real consumer error
/// does; an outage holds each delivery, unacknowledged, until it ends.
/// </summary>
public sealed class ConsumerFaults(FaultInjection faults) : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class where TMessage : class =>
        configurator.UseFilter(new Filter<TConsumer, TMessage>(faults));

    private sealed class Filter<TConsumer, TMessage> : IFilter<ConsumerConsumeContext<TConsumer, TMessage>>
        where TConsumer : class where TMessage : class
    {
        private readonly FaultInjection _faults;
        private readonly ResiliencePipeline _pipeline;

        public Filter(FaultInjection faults)
        {
            _faults = faults;
            _pipeline = new ResiliencePipelineBuilder()
                .AddChaosFault(new ChaosFaultStrategyOptions
                {
                    Name = "consumer-failure",
                    InjectionRateGenerator = _ => ValueTask.FromResult(faults.Current.ConsumerFailureRate),
                    FaultGenerator = _ => ValueTask.FromResult<Exception?>(new InjectedFaultException($"Injected consumer fault ({typeof(TMessage).Name}).")),
                })
                .Build();
        }

        public async Task Send(ConsumerConsumeContext<TConsumer, TMessage> context, IPipe<ConsumerConsumeContext<TConsumer, TMessage>> next)
        {
            // Paused, not failed: the message stays unacknowledged, nothing is lost, and no retry is spent.
            // MassTransit cancels the token when the agency stops, and the broker then hands the message back.
            await _faults.WhenNoOutageAsync(context.CancellationToken);
            await _pipeline.ExecuteAsync(static async (state, _) => await state.next.Send(state.context), (context, next), context.CancellationToken);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("faultInjection");
    }
}
