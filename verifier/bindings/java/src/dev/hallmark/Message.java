package dev.hallmark;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One received message as the app sees it: channel, sender id and recipient id as the channel
 * shows them, the exact body bytes, and the detached token (null or empty: unsigned). Immutable.
 */
public final class Message {
    final byte[] channel;
    final byte[] from;
    final byte[] to;
    final byte[] body;
    final byte[] token;
    /** The displayed subject or title and Reply-To (spec HM-VERIFY-48), or null: not displayed. */
    final byte[] subject, replyTo;

    /** A message whose body is text (encoded as UTF-8, as channels deliver it). */
    public Message(String channel, String from, String to, String body, String token) {
        this(channel, from, to, Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8),
                token);
    }

    /** A message with the exact body bytes received (verification is over these bytes). */
    public Message(String channel, String from, String to, byte[] body, String token) {
        this.channel = utf8(Objects.requireNonNull(channel, "channel"));
        this.from = utf8(Objects.requireNonNull(from, "from"));
        this.to = utf8(Objects.requireNonNull(to, "to"));
        this.body = Objects.requireNonNull(body, "body").clone();
        this.token = token == null ? new byte[0] : utf8(token);
        this.subject = null;
        this.replyTo = null;
    }

    private Message(Message m, String subject, String replyTo) {
        this.channel = m.channel;
        this.from = m.from;
        this.to = m.to;
        this.body = m.body;
        this.token = m.token;
        this.subject = subject == null ? null : utf8(subject);
        this.replyTo = replyTo == null ? null : utf8(replyTo);
    }

    /**
     * This message with the fields the app displays beside the body (spec HM-VERIFY-48): the
     * e-mail Subject (unfolded, decoded) or the push title, and the e-mail Reply-To address; null
     * for a field the app does not display. A signed field that differs fails verification; the
     * result says which displayed fields are signed ({@link Verification#subjectSigned()}).
     */
    public Message withDisplayed(String subject, String replyTo) {
        return new Message(this, subject, replyTo);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
