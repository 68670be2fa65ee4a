package dev.tendril.root.application;

import dev.tendril.protocol.message.RootMessage;
import dev.tendril.root.application.port.in.RootControl;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.*;

class ForwardingRootControlTest {
    @Test
    void everyMethodOfThePortIsForwardedDefaultsIncluded() {
        List<String> missing = Arrays.stream(RootControl.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> {
                    try {
                        ForwardingRootControl.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                        return false;
                    } catch (NoSuchMethodException e) {
                        return true;
                    }
                })
                .map(Method::getName).toList();
        assertEquals(List.of(), missing, "RootControl methods a decorator would silently keep the default of");
    }

    @Test
    void aDecoratorThatChangesNothingAnswersAsItsDelegate() {
        RootMessage.RegistrationSeen seen = RootMessage.RegistrationSeen.notHeld("web", "n1", "delegate's");
        RootControl queuing = new RootControl() {
            @Override
            public RootMessage handle(RootMessage request) {
                return new RootMessage.Ack();
            }

            @Override
            public CompletionStage<RootMessage> handleLater(RootMessage request) {
                return CompletableFuture.completedFuture(new RootMessage.HostedSet("web", List.of("n1")));
            }

            @Override
            public boolean handsOnWithoutWaiting() {
                return true;
            }

            @Override
            public CompletionStage<RootMessage> watch(String caller, RootMessage.RegistrationWatch watch) {
                return CompletableFuture.completedFuture(seen);
            }
        };
        ForwardingRootControl plain = new ForwardingRootControl(queuing) {
        };
        assertEquals(new RootMessage.Ack(), plain.handle(new RootMessage.HostedSetQuery("web")));
        assertEquals(new RootMessage.HostedSet("web", List.of("n1")),
                plain.handleLater(new RootMessage.HostedSetQuery("web")).toCompletableFuture().join());
        assertTrue(plain.handsOnWithoutWaiting());
        assertEquals(seen, plain.watch("k", new RootMessage.RegistrationWatch("web", "n1", 1_000)).toCompletableFuture().join());
    }
}
