-- A client id is the sender's opaque retry token: compare it byte for byte. Under ascii's default
-- collation (ascii_general_ci) "c-A" and "c-a" were one id, so the second message was taken for a
-- retry of the first and lost. The unique key uq_messages_client is rebuilt with the column.
ALTER TABLE messages MODIFY client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL;
